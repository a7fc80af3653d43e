#include "chi_square.hpp"

#include <cmath>
#include <limits>

namespace flagctl {
namespace {

constexpr double epsilon = 1e-14;
constexpr int max_iterations = 10'000;

// e^-x x^a / Gamma(a), the factor both expansions below share; in logarithms, since x^a overflows.
double prefactor(double a, double x) { return std::exp(-x + a * std::log(x) - std::lgamma(a)); }

// P(a, x) as the power series sum x^n / (a (a+1) ... (a+n)), which converges fast for x < a + 1.
double lower_by_series(double a, double x) {
    double term = 1.0 / a;
    double sum = term;
    for (int n = 1; n < max_iterations; ++n) {
        term *= x / (a + n);
        sum += term;
        if (std::fabs(term) < std::fabs(sum) * epsilon) break;
    }
    return sum * prefactor(a, x);
}

// Q(a, x) as its continued fraction, evaluated with the modified Lentz method; converges fast for
// x >= a + 1, where the series would need many terms.
double upper_by_continued_fraction(double a, double x) {
    constexpr double tiny = std::numeric_limits<double>::min() / epsilon;
    double b = x + 1.0 - a;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double fraction = d;
    for (int i = 1; i < max_iterations; ++i) {
        const double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (std::fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        const double step = d * c;
        fraction *= step;
        if (std::fabs(step - 1.0) < epsilon) break;
    }
    return fraction * prefactor(a, x);
}

}  // namespace

double chi_square_p_value(double statistic, int degrees) {
    if (degrees <= 0) return 1.0;
    if (statistic <= 0) return 1.0;
    const double a = degrees / 2.0;
    const double x = statistic / 2.0;
    return x < a + 1.0 ? 1.0 - lower_by_series(a, x) : upper_by_continued_fraction(a, x);
}

}  // namespace flagctl
