// g. ARMA(1,1) through its error recursion (Stan User's Guide, "Moving average models"),
// T=200 -> 4 parameters
data {
  int<lower=1> T;
  vector[T] y;
}
parameters {
  real mu;
  real<lower=-1, upper=1> phi;    // stationary
  real<lower=-1, upper=1> theta;  // invertible
  real<lower=0> sigma;
}
model {
  vector[T] err;
  err[1] = y[1] - (mu + phi * mu);
  for (t in 2:T) {
    err[t] = y[t] - (mu + phi * y[t - 1] + theta * err[t - 1]);
  }
  mu ~ normal(0, 10);
  sigma ~ cauchy(0, 5);  // HalfCauchy(5); phi, theta uniform on (-1, 1)
  err ~ normal(0, sigma);
}
