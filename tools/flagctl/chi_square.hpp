// The chi-square test `flagctl buckets` uses to judge whether keys spread over a rollout or split as
// configured.
#pragma once

namespace flagctl {

// The probability that a chi-square variable with `degrees` degrees of freedom is at least
// `statistic`: the upper tail, Q(degrees/2, statistic/2) of the regularized incomplete gamma function.
// A small value (below 0.001, say) means the observed counts are unlikely under the expected shares.
double chi_square_p_value(double statistic, int degrees);

}  // namespace flagctl
