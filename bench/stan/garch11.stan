// GARCH(1,1) through its variance recursion (Stan User's Guide, "Modeling temporal
// heteroscedasticity"), with proper priors that gopm writes the same way,
// T=200 -> 4 parameters
data {
  int<lower=1> T;
  vector[T] y;
  real<lower=0> sigma1;
}
parameters {
  real mu;
  real<lower=0> alpha0;
  real<lower=0, upper=1> alpha1;
  real<lower=0, upper=(1 - alpha1)> beta1;
}
model {
  vector[T] sigma;
  sigma[1] = sigma1;
  for (t in 2:T) {
    sigma[t] = sqrt(alpha0 + alpha1 * square(y[t - 1] - mu) + beta1 * square(sigma[t - 1]));
  }
  mu ~ normal(0, 10);
  alpha0 ~ normal(0, 1);          // HalfNormal(1)
  beta1 ~ uniform(0, 1 - alpha1); // alpha1 uniform on (0, 1)
  y ~ normal(mu, sigma);
}
