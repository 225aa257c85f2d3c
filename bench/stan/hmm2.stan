// h. two-state Gaussian hidden Markov model, states marginalised by the forward algorithm
// (Stan User's Guide, "Hidden Markov models"), uniform initial state, T=200 -> 5 parameters
data {
  int<lower=1> T;
  vector[T] y;
}
parameters {
  real<lower=0, upper=1> p11;  // P(stay in state 1)
  real<lower=0, upper=1> p22;  // P(stay in state 2)
  ordered[2] mu;
  real<lower=0> sigma;
}
model {
  matrix[2, 2] log_A = [[log(p11), log1m(p11)], [log1m(p22), log(p22)]];
  vector[2] alpha;  // log forward variables
  vector[2] alpha_new;
  for (k in 1:2) alpha[k] = log(0.5) + normal_lpdf(y[1] | mu[k], sigma);
  for (t in 2:T) {
    for (k in 1:2) {
      alpha_new[k] = log_sum_exp(alpha[1] + log_A[1, k], alpha[2] + log_A[2, k])
                + normal_lpdf(y[t] | mu[k], sigma);
    }
    alpha = alpha_new;
  }
  mu ~ normal(0, 5);
  sigma ~ normal(0, 2);  // HalfNormal(2); p11, p22 uniform on (0, 1)
  target += log_sum_exp(alpha);
}
