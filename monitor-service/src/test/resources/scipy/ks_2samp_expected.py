"""Expected values of KolmogorovSmirnovTest (monitor-service): scipy's two-sample Kolmogorov-Smirnov test.

Run with Debian's Python and scipy (the test's constants came from scipy 1.10.1, numpy 1.24.2):

    /usr/bin/python3 monitor-service/src/test/resources/scipy/ks_2samp_expected.py

It prints one Java line per case: the samples' recipe and scipy.stats.ks_2samp(x, y) with its defaults
(alternative='two-sided', method='auto': exact while max(n, m) <= 10,000, asymptotic beyond). The samples are
made by integer arithmetic and IEEE double operations only, so the Java test makes the very same doubles.
"""
import math

import scipy
from scipy.stats import ks_2samp


def uniforms(seed, count):
    """A 31-bit linear congruential generator; each value s / 2^31 is exact in a double."""
    state, values = seed, []
    for _ in range(count):
        state = (1103515245 * state + 12345) % 2147483648
        values.append(state / 2147483648)
    return values


def sample(seed, count, shift, grid):
    """Sums of three uniforms (a bell of mean 1.5) plus a shift; with grid > 0 rounded down to multiples of 1/grid."""
    u = uniforms(seed, 3 * count)
    values = []
    for i in range(count):
        v = u[3 * i] + u[3 * i + 1] + u[3 * i + 2] + shift
        values.append(math.floor(v * grid) / grid if grid > 0 else v)
    return values


# name, (seed, size, shift, grid) of x, (seed, size, shift, grid) of y
CASES = [
    ("equalSmall", (1, 8, 0.0, 0), (2, 8, 0.6, 0)),
    ("equalLarge", (3, 1000, 0.1, 0), (4, 1000, 0.0, 0)),
    ("unequalSmall", (5, 30, 0.5, 0), (6, 50, 0.0, 0)),
    ("windowAgainstReference", (7, 1000, 0.05, 0), (8, 500, 0.0, 0)),
    ("windowAgainstReferenceDrifted", (9, 1000, 0.3, 0), (10, 500, 0.0, 0)),
    ("largestExact", (11, 10000, 0.03, 0), (12, 500, 0.0, 0)),
    ("smallestAsymptotic", (13, 10001, 0.03, 0), (14, 500, 0.0, 0)),
    ("largeAsymptotic", (15, 12000, 0.1, 0), (16, 500, 0.0, 0)),
    ("tiesSmall", (17, 40, 0.2, 10), (18, 60, 0.0, 10)),
    ("tiesWindow", (19, 1000, 0.05, 20), (20, 500, 0.0, 20)),
    ("tiesLargeAsymptotic", (21, 20000, 0.02, 10), (22, 500, 0.0, 10)),
    ("identical", (23, 50, 0.0, 0), (23, 50, 0.0, 0)),
]

print(f"// scipy {scipy.__version__}: scipy.stats.ks_2samp(x, y) (two-sided, method='auto')")
for name, xs, ys in CASES:
    x, y = sample(*xs), sample(*ys)
    result = ks_2samp(x, y)
    print(f'        scipy("{name}", {xs[0]}, {xs[1]}, {xs[2]!r}, {xs[3]}, {ys[0]}, {ys[1]}, {ys[2]!r}, {ys[3]}, '
          f'{result.statistic!r}, {result.pvalue!r}),')
