// i. linear trend over uncentred calendar years 1960..2020, N=61 -> 3 parameters; the
// intercept and slope are correlated at about -0.99998 a posteriori
data {
  int<lower=1> N;
  vector[N] year;
  vector[N] y;
}
parameters {
  real a;
  real b;
  real<lower=0> s;
}
model {
  a ~ normal(0, 100);
  b ~ normal(0, 1);
  s ~ normal(0, 1);  // HalfNormal(1)
  y ~ normal(a + b * year, s);
}
