"""Correctness of the BG/NBD + Gamma-Gamma CLV module, proved three ways.

1. Formula level: the closed forms agree with direct numerical integration over the latent
   (lambda, p) / nu distributions and, where parameters are extreme, with the closed form
   evaluated in 40-digit arithmetic (mpmath); analytic gradients agree with finite
   differences, and the known special cases hold.
2. Parameter recovery: data simulated from the generative processes with known parameters are
   fitted back within tolerances derived from the sample size (tolerance >= 3 standard errors).
3. Published CDNOW figures: Fader, Hardie & Lee (2005) BG/NBD estimates and log-likelihood,
   the Fader-Hardie BG/NBD spreadsheet values, the Fader-Hardie Gamma-Gamma estimates and the
   values printed in the lifetimes documentation (same CDNOW sample, inputs rounded to 0.01).
"""

from __future__ import annotations

import math
from pathlib import Path

import mpmath
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from customer_behavior import lifetime_value as lv

CDNOW_PATH = Path(__file__).resolve().parents[2].parent / "shared/data/cdnow/CDNOW_sample.txt"

# Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing Science 24(2):
# CDNOW 1/10th sample, 2,357 customers, weeks 1-39 calibration (to 1997-09-30).
PUBLISHED_BG_NBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_BG_NBD_LL = -9582.4
PUBLISHED_CAL_REPEATS = 2457
# Fader & Hardie (2013), "The Gamma-Gamma model of monetary value": 946 repeat customers.
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}

# Parameter sets for the formula checks: CDNOW-like, a > 1, a == 1 exactly (0/0 limit), a < 1
# with strong heterogeneity, and a nearly-immortal base.
PARAM_SETS = [
    (0.2425929, 4.4135318, 0.7928861, 2.4257531),
    (1.5, 10.0, 3.0, 5.0),
    (0.3, 2.0, 1.0, 1.2),
    (2.0, 0.5, 0.2, 0.7),
    (0.05, 50.0, 8.0, 0.3),
]
CASES = [  # (t, x, t_x, T)
    (39.0, 2, 30.43, 38.86),
    (10.0, 0, 0.0, 20.0),
    (52.0, 50, 40.0, 41.0),
    (5.0, 300, 99.0, 100.0),
    (100.0, 1, 0.5, 60.0),
    (1000.0, 3, 10.0, 500.0),
]


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------


def simulate_bg_nbd(n, r, alpha, a, b, T, t_holdout, rng):
    """BG/NBD generative process. Time 0 = first purchase; while alive, purchases arrive as a
    Poisson(lambda) process, lambda ~ Gamma(r, rate alpha); after each repeat purchase the
    customer dies with probability p ~ Beta(a, b).  Returns calibration (x, t_x) over (0, T]
    and the number of purchases in the holdout (T, T + t_holdout]."""
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    t = np.zeros(n)
    x = np.zeros(n, dtype=int)
    t_x = np.zeros(n)
    x_hold = np.zeros(n, dtype=int)
    end = T + t_holdout
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        t[idx] += rng.exponential(1.0 / lam[idx])
        tt = t[idx]
        cal = tt <= T[idx]
        hold = ~cal & (tt <= end[idx])
        x[idx[cal]] += 1
        t_x[idx[cal]] = tt[cal]
        x_hold[idx[hold]] += 1
        dies = (cal | hold) & (rng.random(idx.size) < p[idx])
        active[idx] = ~dies & (tt <= end[idx])
    return x, t_x, x_hold


def integrated_conditional_expectation(t, x, t_x, T, r, alpha, a, b):
    """E[Y(t) | x, t_x, T] by direct integration: lambda integrated analytically, p by
    Gauss-Jacobi quadrature (weight p^(a-1) (1-p)^(b-1)).  Independent of the 2F1 closed form."""
    k = t / (alpha + T)

    def alive_purchases(p):  # P(data, alive) * E[purchases in t | alive, p] / common factor
        if p == 0.0:
            return (r + x) * k
        return (1 - p) ** x * (-math.expm1(-(r + x) * math.log1p(p * k))) / p

    def likelihood(p):
        dead = p * (1 - p) ** max(x - 1, 0) * ((alpha + T) / (alpha + t_x)) ** (r + x)
        return (1 - p) ** x + (dead if x > 0 else 0.0)

    kw = {"weight": "alg", "wvar": (a - 1, b - 1), "limit": 200, "epsabs": 0, "epsrel": 1e-12}
    num = integrate.quad(alive_purchases, 0, 1, **kw)[0]
    den = integrate.quad(likelihood, 0, 1, **kw)[0]
    return num / den


def read_cdnow() -> pd.DataFrame:
    if not CDNOW_PATH.exists():
        pytest.skip(f"CDNOW sample not found at {CDNOW_PATH} (../shared/data is not mounted)")
    df = pd.read_csv(
        CDNOW_PATH,
        sep=r"\s+",
        header=None,
        names=["customer_full_id", "customer_id", "date", "n_cds", "value"],
        dtype={"date": str},
    )
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return read_cdnow()


@pytest.fixture(scope="module")
def cdnow_summary(cdnow) -> pd.DataFrame:
    return lv.rfm_summary(
        cdnow, "customer_id", "date", "value", "1998-06-30", calibration_end="1997-09-30"
    )


@pytest.fixture(scope="module")
def cdnow_fits(cdnow_summary):
    s = cdnow_summary
    return (
        lv.fit_bg_nbd(s["frequency"], s["recency"], s["T"]),
        lv.fit_gamma_gamma(s["frequency"], s["monetary_value"]),
    )


@pytest.fixture(scope="module")
def cdnow_rounded_fits(cdnow_summary):
    """The lifetimes example datasets are this summary rounded to 2 decimals."""
    s = cdnow_summary.round({"recency": 2, "T": 2, "monetary_value": 2})
    return (
        s,
        lv.fit_bg_nbd(s["frequency"], s["recency"], s["T"]),
        lv.fit_gamma_gamma(s["frequency"], s["monetary_value"]),
    )


# ------------------------------------------------------------------------------------------
# 1. formula level
# ------------------------------------------------------------------------------------------


def test_log_likelihood_matches_direct_formula():
    r, alpha, a, b = 0.7, 3.0, 1.3, 2.2
    x = np.array([0, 1, 2, 5, 9])
    t_x = np.array([0.0, 3.0, 10.0, 12.5, 20.0])
    T = np.array([15.0, 20.0, 25.0, 30.0, 21.0])
    got = lv.bg_nbd_log_likelihood((r, alpha, a, b), x, t_x, T)
    for i in range(len(x)):
        xi, ti, Ti = int(x[i]), t_x[i], T[i]
        common = special.gamma(r + xi) * alpha**r / special.gamma(r)
        like = special.beta(a, b + xi) / special.beta(a, b) * common / (alpha + Ti) ** (r + xi)
        if xi > 0:
            like += (
                special.beta(a + 1, b + xi - 1)
                / special.beta(a, b)
                * common
                / (alpha + ti) ** (r + xi)
            )
        assert got[i] == pytest.approx(math.log(like), rel=1e-12)


def test_log_likelihood_is_stable_for_heavy_buyers():
    ll = lv.bg_nbd_log_likelihood((0.24, 4.4, 0.79, 2.4), [2000, 5000], [300.0, 310.0], [310, 310])
    assert np.all(np.isfinite(ll))
    e = lv.bg_nbd_conditional_expected_purchases(
        52, [2000, 5000], [300, 310], [310, 310], (0.24, 4.4, 0.79, 2.4)
    )
    assert np.all(np.isfinite(e)) and np.all(e > 0)


def test_analytic_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 8, 50).astype(float)
    T = rng.uniform(10, 40, 50)
    t_x = np.where(x > 0, rng.uniform(0, 1, 50) * T, 0.0)
    m = rng.gamma(5, 6, 50)
    for ll_grad, theta, args in [
        (lv._bg_nbd_ll_grad, np.array([0.6, 3.0, 0.9, 2.2]), (x, t_x, T)),
        (lv._gg_ll_grad, np.array([4.0, 3.0, 12.0]), (x[x > 0], m[x > 0])),
    ]:
        _, grad = ll_grad(theta, *args)
        for j in range(len(theta)):
            h = 1e-6 * theta[j]
            up, dn = theta.copy(), theta.copy()
            up[j] += h
            dn[j] -= h
            fd = (ll_grad(up, *args)[0].sum() - ll_grad(dn, *args)[0].sum()) / (2 * h)
            assert grad[:, j].sum() == pytest.approx(fd, rel=1e-6)


def test_likelihoods_on_distinct_values_equal_each_row_on_its_own():
    """The fits evaluate gammaln / digamma / log on the distinct x, t_x and T values and
    gather them back; each row must equal that row evaluated alone, bit for bit."""
    rng = np.random.default_rng(5)
    n = 400
    x = rng.integers(0, 6, n).astype(float)  # few distinct counts, as in real data
    T = rng.integers(1, 30, n) / 7.0  # week values from whole days
    t_x = np.where(x > 0, np.floor(rng.uniform(0, 1, n) * T * 7.0) / 7.0, 0.0)
    m = np.round(rng.gamma(5, 6, n), 2)
    repeat = x > 0
    for ll_grad, theta, args in [
        (lv._bg_nbd_ll_grad, np.array([0.6, 3.0, 0.9, 2.2]), (x, t_x, T)),
        (lv._bg_nbd_ll_grad, np.array([1e-3, 250.0, 4.0, 0.05]), (x, t_x, T)),
        (lv._gg_ll_grad, np.array([4.0, 3.0, 12.0]), (x[repeat], m[repeat])),
        (lv._gg_ll_grad, np.array([0.3, 40.0, 0.5]), (x[repeat], m[repeat])),
    ]:
        ll, grad = ll_grad(theta, *args)
        for i in range(len(args[0])):
            ll_i, grad_i = ll_grad(theta, *(a[i : i + 1] for a in args))
            assert ll[i] == ll_i[0] and np.array_equal(grad[i], grad_i[0]), (theta, i)


@pytest.mark.parametrize("params", PARAM_SETS)
def test_conditional_expectation_matches_numerical_integration(params):
    for t, x, t_x, T in CASES:
        closed = float(lv.bg_nbd_conditional_expected_purchases(t, x, t_x, T, params))
        numeric = integrated_conditional_expectation(t, x, t_x, T, *params)
        assert closed == pytest.approx(numeric, rel=1e-9), (params, (t, x, t_x, T))


def test_expectation_near_a_equal_one_is_continuous():
    base = (0.3, 2.0, 1.0, 1.2)
    at_one = lv.bg_nbd_conditional_expected_purchases(39, 2, 30, 38, base)
    for a in (1 - 1e-4, 1 - 1e-6, 1 + 1e-6, 1 + 1e-4):
        near = lv.bg_nbd_conditional_expected_purchases(39, 2, 30, 38, (0.3, 2.0, a, 1.2))
        assert near == pytest.approx(at_one, rel=5e-4)


# (r, alpha, a, b, t, x, T) where the double-precision closed form overflows, stops its series
# too early or cancels away its digits: large a, or b huge next to a (a Beta(a, b+x) dropout
# distribution concentrated on a narrow range), next to two cases it handles exactly.
EXTREME_CASES = [
    (3.83, 49.8, 3.9e5, 4.85e8, 52.2, 3, 60.0),  # the fit that the planted data drifted to
    (3.83, 49.8, 3.9e5, 4.85e8, 4.35, 0, 50.0),
    (3.83, 49.8, 3.9e5, 4.85e8, 200.0, 30, 10.0),
    (2.0, 20.0, 5.2e4, 2.2e6, 52.0, 10, 80.0),
    (0.5, 10.0, 1.0e3, 1.2e6, 52.0, 3, 60.0),  # series needs more than its 400 terms
    (0.5, 10.0, 545.0, 6.35e5, 100.0, 3, 20.0),  # hyp2f1 overflows
    (1.0, 5.0, 29.0, 5.48e8, 1.0, 1, 60.0),  # cancellation ~ (b+x)/a
    (0.2, 4.0, 0.131, 1.31e8, 10.0, 10, 90.0),
    (0.3, 2.0, 1.0 + 1e-7, 2.0e7, 30.0, 2, 38.0),
    (1.2, 3.0, 1.0e5, 0.05, 40.0, 100, 70.0),  # p near 1
    (0.5, 0.3, 5.24, 693.0, 500.0, 2000, 1.0),  # closed form, z near 1, heavy buyer
    (0.4, 0.5, 0.2, 0.96, 300.0, 2000, 6.0),
]


def mpmath_alive_expectation(t, x, T, r, alpha, a, b) -> float:
    """FHL eq. 10 before P(alive) weighting, evaluated with 40 significant digits."""
    with mpmath.workdps(40):
        t, x, T, r, alpha, a, b = (mpmath.mpf(v) for v in (t, x, T, r, alpha, a, b))
        z = t / (alpha + T + t)
        hyp = mpmath.hyp2f1(r + x, b + x, a + b + x - 1, z)
        return float((a + b + x - 1) / (a - 1) * (1 - (1 - z) ** (r + x) * hyp))


@pytest.mark.parametrize("case", EXTREME_CASES)
def test_expectation_matches_40_digit_closed_form_for_extreme_parameters(case):
    r, alpha, a, b, t, x, T = case
    got = lv._bg_nbd_alive_expectation(t, x, T, r, alpha, a, b)
    assert np.isfinite(got)
    assert got == pytest.approx(mpmath_alive_expectation(t, x, T, r, alpha, a, b), rel=1e-9)


@pytest.mark.parametrize("a, beta", [(0.3, 0.7), (0.5, 1.5), (2.5, 40.0), (1.0, 2.0e7), (3.9e5, 4.85e8)])
def test_beta_gauss_rule_integrates_moments_exactly(a, beta):
    """An n-point Gauss rule is exact for polynomials of degree <= 2n - 1: the rule for
    Beta(a, beta) must reproduce E[p^k] = prod_{j<k} (a+j)/(a+beta+j)."""
    n = 8
    nodes, weights = lv._beta_gauss_quadrature(a, beta, n)
    assert np.all((nodes > 0) & (nodes < 1)) and weights.sum() == pytest.approx(1.0, rel=1e-14)
    for k in range(1, 2 * n):
        moment = math.prod((a + j) / (a + beta + j) for j in range(k))
        assert np.dot(weights, nodes**k) == pytest.approx(moment, rel=1e-10), k


@pytest.mark.parametrize("params", PARAM_SETS)
def test_unconditional_expectation(params):
    r, alpha, a, b = params
    for t in (0.5, 10.0, 78.0, 500.0):
        # E[X(t)] = E_p[(1 - E_lambda[exp(-lambda p t)]) / p], lambda integrated analytically
        numeric = integrate.quad(
            lambda p, t=t: (
                -math.expm1(r * (math.log(alpha) - math.log(alpha + p * t))) / p
                if p > 0
                else r * t / alpha
            ),
            0,
            1,
            weight="alg",
            wvar=(a - 1, b - 1),
            epsabs=0,
            epsrel=1e-12,
        )[0] / special.beta(a, b)
        assert lv.bg_nbd_expected_purchases(t, params) == pytest.approx(numeric, rel=1e-9)
    # rate at t -> 0 is the mean purchase rate r / alpha
    assert lv.bg_nbd_expected_purchases(1e-7, params) / 1e-7 == pytest.approx(r / alpha, rel=1e-5)
    assert lv.bg_nbd_expected_purchases(0.0, params) == 0.0


def test_probability_alive_special_cases():
    r, alpha, a, b = PARAM_SETS[0]
    params = (r, alpha, a, b)
    # no repeat purchase: the model says the customer is alive (dropout only follows a purchase)
    assert np.all(lv.bg_nbd_probability_alive(0, 0, [0, 1, 10, 1000], params) == 1.0)
    # last purchase exactly at T: 1 / (1 + a / (b + x - 1))
    x = np.arange(1, 20)
    expected = 1 / (1 + a / (b + x - 1))
    np.testing.assert_allclose(
        lv.bg_nbd_probability_alive(x, 30.0, 30.0, params), expected, rtol=1e-13
    )
    # bounded, decreasing in T, increasing in recency
    T = np.linspace(30, 300, 50)
    pa_T = lv.bg_nbd_probability_alive(4, 30.0, T, params)
    assert np.all((pa_T > 0) & (pa_T <= 1)) and np.all(np.diff(pa_T) < 0)
    pa_tx = lv.bg_nbd_probability_alive(4, np.linspace(1, 30, 30), 30.0, params)
    assert np.all(np.diff(pa_tx) > 0)


def test_expected_purchases_monotonicity():
    params = tuple(PUBLISHED_BG_NBD.values())
    # more repeat purchases -> more expected purchases, for a recent customer (t_x close to T)
    x = np.arange(0, 40)
    recent = lv.bg_nbd_conditional_expected_purchases(
        10, x, np.where(x > 0, 30.0, 0.0), 32.0, params
    )
    assert np.all(np.diff(recent) > 0)
    # ...but a frequent buyer who has been silent for long is probably gone: the BG/NBD is not
    # monotone in x when t_x << T (documented property, not a bug)
    stale = lv.bg_nbd_conditional_expected_purchases(
        10, x, np.where(x > 0, 10.0, 0.0), 32.0, params
    )
    assert stale[10] < stale[2]
    # older at the same (x, t_x) -> fewer expected purchases
    T = np.linspace(30, 300, 40)
    for xi, t_x in [(0, 0.0), (1, 5.0), (3, 30.0), (20, 29.0)]:
        e = lv.bg_nbd_conditional_expected_purchases(10, xi, t_x, T, params)
        assert np.all(np.diff(e) < 0)
    # more time -> more purchases, zero at t = 0
    t = np.linspace(0, 200, 41)
    e = lv.bg_nbd_conditional_expected_purchases(t, 3, 20.0, 30.0, params)
    assert e[0] == 0 and np.all(np.diff(e) > 0)


def test_gamma_gamma_density_and_conditional_expectation():
    p, q, v = 6.0, 4.0, 15.0
    for x in (1, 3, 10):

        def dens(m, x=x):
            return math.exp(lv.gamma_gamma_log_likelihood((p, q, v), x, m)[()])

        assert integrate.quad(dens, 0, np.inf)[0] == pytest.approx(1.0, rel=1e-8)
        mean = integrate.quad(lambda m, d=dens: m * d(m), 0, np.inf)[0]
        assert mean == pytest.approx(p * v / (q - 1), rel=1e-7)  # E[z] = p v / (q - 1)
    # x = 0 -> population mean; otherwise a credibility-weighted average of it and m
    pop = p * v / (q - 1)
    assert lv.gamma_gamma_conditional_expected_value(0, 123.0, (p, q, v)) == pytest.approx(pop)
    x, m = 4, 50.0
    w = p * x / (p * x + q - 1)
    got = lv.gamma_gamma_conditional_expected_value(x, m, (p, q, v))
    assert got == pytest.approx(w * m + (1 - w) * pop, rel=1e-13)
    big = lv.gamma_gamma_conditional_expected_value(1e7, m, (p, q, v))
    assert big == pytest.approx(m, rel=1e-6)
    assert np.isnan(lv.gamma_gamma_conditional_expected_value(0, 0.0, (p, 0.5, v)))


def test_discounted_clv():
    params = tuple(PUBLISHED_BG_NBD.values())
    x, t_x, T, value = (
        np.array([0, 2, 7]),
        np.array([0.0, 30.43, 29.43]),
        np.full(3, 38.86),
        np.array([35.0, 24.7, 71.5]),
    )
    zero, _ = lv.discounted_clv(params, x, t_x, T, value, horizon_months=0)
    assert np.all(zero == 0)
    undiscounted, purchases = lv.discounted_clv(params, x, t_x, T, value, annual_discount_rate=0.0)
    per_month = 365.25 / 12 / 7
    expected_purchases = lv.bg_nbd_conditional_expected_purchases(12 * per_month, x, t_x, T, params)
    np.testing.assert_allclose(purchases, expected_purchases, rtol=1e-12)
    np.testing.assert_allclose(undiscounted, expected_purchases * value, rtol=1e-12)
    discounted, _ = lv.discounted_clv(params, x, t_x, T, value, annual_discount_rate=0.10)
    manual = sum(
        (
            lv.bg_nbd_conditional_expected_purchases(mo * per_month, x, t_x, T, params)
            - lv.bg_nbd_conditional_expected_purchases((mo - 1) * per_month, x, t_x, T, params)
        )
        * value
        / 1.10 ** (mo / 12)
        for mo in range(1, 13)
    )
    np.testing.assert_allclose(discounted, manual, rtol=1e-12)
    assert np.all(discounted < undiscounted)
    longer, _ = lv.discounted_clv(params, x, t_x, T, value, horizon_months=24)
    assert np.all(longer > discounted)


# ------------------------------------------------------------------------------------------
# 2. parameter recovery from simulated data
# ------------------------------------------------------------------------------------------


def _assert_recovered(fit, truth, rel_tol=0.20):
    assert fit.converged, fit.message
    for k, true in truth.items():
        est, se = fit.params[k], fit.std_errors[k]
        # the design gives standard errors <= rel_tol / 3, so rel_tol is a >= 3-sigma band
        assert se / true < rel_tol / 3, (k, se)
        assert abs(est - true) / true < rel_tol, (k, est, true)
        assert abs(est - true) < 4 * se, (k, est, true, se)


def test_bg_nbd_parameter_recovery():
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    rng = np.random.default_rng(20240601)
    n = 15_000
    T = rng.uniform(78, 130, n)  # weeks between first purchase and calibration end
    x, t_x, x_hold = simulate_bg_nbd(n, *truth.values(), T, 52.0, rng)
    fit = lv.fit_bg_nbd(x, t_x, T)
    _assert_recovered(fit, truth)
    # out-of-sample: the fitted model's conditional expectations for the next 52 weeks
    predicted = lv.bg_nbd_conditional_expected_purchases(52.0, x, t_x, T, fit).sum()
    assert predicted == pytest.approx(x_hold.sum(), rel=0.10)
    # in-sample: unconditional expectation over each customer's age
    assert lv.bg_nbd_expected_purchases(T, fit).sum() == pytest.approx(x.sum(), rel=0.05)


def _generated_summary(tmp_path: Path, dropout: float) -> pd.DataFrame:
    """The lifetime-value summary of 3,000 customers from the package's generator."""
    from customer_behavior.generate import generate

    out = tmp_path / f"dropout_{dropout}"
    generate(out, 3000, seed=7, orders_per_customer=6.0, fmt="parquet", progress=False,
             dropout=dropout)
    lines = pd.read_parquet(out / "orders.parquet")
    orders = lines.groupby("order_id", as_index=False).agg(
        customer_id=("customer_id", "first"), order_date=("order_date", "first"),
        amount=("amount", "sum"))
    return lv.customer_summary(orders.assign(amount=orders["amount"].astype(float)))


@pytest.mark.parametrize("dropout", [0.0, 0.05, 0.15])
def test_planted_dropout_is_recovered_from_generated_orders(tmp_path, dropout):
    """Known answer end to end from the generator: customers who stop buying after each
    repeat purchase with a chance drawn from Beta(a, b), mean p, give a BG/NBD fit whose
    mean dropout chance a / (a + b) is p (measured 0.0008, 0.0435 and 0.134 for 0, 0.05 and
    0.15), whose a and b are the planted ones within two standard errors, and whose average
    P(alive) falls as churn grows."""
    from customer_behavior.generate import DROPOUT_CONCENTRATION

    summary = _generated_summary(tmp_path, dropout)
    bg, _ = lv.fit_models(summary)
    _, _, a, b = lv._bg_params(bg)
    alive = lv.bg_nbd_probability_alive(summary["frequency"], summary["recency"],
                                        summary["T"], bg).mean()
    if dropout == 0:
        assert a / (a + b) < 0.005 and alive > 0.99
        return
    assert a / (a + b) == pytest.approx(dropout, rel=0.25)
    assert alive < 0.9
    planted = {"a": dropout * DROPOUT_CONCENTRATION, "b": (1 - dropout) * DROPOUT_CONCENTRATION}
    for name, value in planted.items():
        assert abs(bg.params[name] - value) < 2 * bg.std_errors[name], (name, bg.params)


def test_equal_dropout_for_everyone_still_predicts_the_holdout():
    """When every customer has the same dropout probability, the Beta(a, b) heterogeneity
    has nothing to fit and the MLE runs off towards a, b -> infinity (here a ~ 5e4) with
    a/(a+b) near the true p.  Predictions must stay finite and right."""
    rng = np.random.default_rng(1)
    n = 5_000
    T = rng.uniform(26, 104, n)
    p = 0.02  # Beta(1e6, 4.9e7): the same p for all, to 1 part in 1000
    x, t_x, x_hold = simulate_bg_nbd(n, 2.0, 20.0, 1e6, 1e6 * (1 / p - 1), T, 52.0, rng)
    fit = lv.fit_bg_nbd(x, t_x, T)
    a, b = fit.params["a"], fit.params["b"]
    assert a > 1e3, fit.params  # the regime where the double-precision closed form fails
    assert a / (a + b) == pytest.approx(p, rel=0.25)
    predicted = lv.bg_nbd_conditional_expected_purchases(52.0, x, t_x, T, fit)
    assert np.all(np.isfinite(predicted)) and np.all(predicted > 0)
    assert predicted.sum() == pytest.approx(x_hold.sum(), rel=0.10)


def test_gamma_gamma_parameter_recovery():
    truth = {"p": 6.0, "q": 4.0, "v": 15.0}
    rng = np.random.default_rng(7)
    n = 20_000
    x = 1 + rng.poisson(1.0, n)
    nu = rng.gamma(truth["q"], 1.0 / truth["v"], n)
    # the mean of x Gamma(p, nu) transaction values is Gamma(p x, x nu)
    m = rng.gamma(truth["p"] * x, 1.0 / (x * nu))
    fit = lv.fit_gamma_gamma(x, m)
    _assert_recovered(fit, truth)
    # customers with x = 0 are ignored by the fit
    fit0 = lv.fit_gamma_gamma(np.r_[x, 0, 0], np.r_[m, 0.0, 0.0])
    assert fit0.n_customers == n and fit0.params == pytest.approx(fit.params, rel=1e-8)


@pytest.mark.realdata
def test_penalizer_shrinks_parameters(cdnow_summary):
    s = cdnow_summary
    plain = lv.fit_bg_nbd(s["frequency"], s["recency"], s["T"])
    shrunk = lv.fit_bg_nbd(s["frequency"], s["recency"], s["T"], penalizer=0.01)
    assert sum(shrunk.params.values()) < sum(plain.params.values())
    assert shrunk.log_likelihood < plain.log_likelihood


# ------------------------------------------------------------------------------------------
# 3. published CDNOW figures
# ------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_cdnow_rfm_summary(cdnow_summary):
    s = cdnow_summary.set_index("customer_id")
    assert len(s) == 2357
    assert s["frequency"].sum() == PUBLISHED_CAL_REPEATS  # FHL 2005: 2,457 repeat purchases
    assert (s["frequency"] > 0).sum() == 946  # Fader & Hardie (2013): 946 repeat customers
    assert s["T"].max() == pytest.approx(272 / 7)  # 1997-01-01 .. 1997-09-30
    assert (s["duration_holdout"] == 39.0).all()
    # rows of lifetimes' cdnow_customers_summary_with_transactions.csv (ID, x, t_x, T, zbar)
    reference = {
        1: (2, 30.43, 38.86, 22.35),
        6: (7, 29.43, 38.86, 73.74),
        26: (1, 1.57, 38.71, 227.14),
        720: (7, 34.86, 34.86, 14.60),
        1516: (26, 30.86, 31.00, 39.97),
        1863: (1, 28.57, 29.43, 2.99),
        1901: (21, 4.71, 29.29, 299.63),
        2332: (5, 13.00, 27.00, 146.96),
        3: (0, 0.00, 38.86, 0.00),
    }
    for cid, (x, t_x, T, zbar) in reference.items():
        row = s.loc[cid]
        assert row["frequency"] == x
        for got, want in ((row["recency"], t_x), (row["T"], T), (row["monetary_value"], zbar)):
            assert abs(got - want) <= 0.005 + 1e-9, (cid, got, want)


@pytest.mark.realdata
def test_cdnow_bg_nbd_matches_published_estimates(cdnow_fits):
    bg, _ = cdnow_fits
    assert bg.converged and bg.n_customers == 2357
    # the paper reports 3 decimals: every estimate must round to the published value
    for k, published in PUBLISHED_BG_NBD.items():
        assert abs(bg.params[k] - published) <= 0.0005, (k, bg.params[k], published)
    assert abs(bg.log_likelihood - PUBLISHED_BG_NBD_LL) <= 0.05


@pytest.mark.realdata
def test_cdnow_bg_nbd_matches_lifetimes_reference(cdnow_rounded_fits):
    """lifetimes docs (Quickstart, BetaGeoFitter on cdnow_customers.csv): coefficients and
    standard errors to 6 decimals, and the top-5 'predicted purchases next week'."""
    s, bg, _ = cdnow_rounded_fits
    reference = {  # coef, se(coef)
        "r": (0.242593, 0.012557),
        "alpha": (4.413532, 0.378221),
        "a": (0.792886, 0.185719),
        "b": (2.425752, 0.705345),
    }
    for k, (coef, se) in reference.items():
        assert bg.params[k] == pytest.approx(coef, abs=1e-5), k
        assert bg.std_errors[k] == pytest.approx(se, abs=1e-5), k
    top = {509: 0.424877, 841: 0.474738, 1981: 0.486526, 157: 0.662396, 1516: 0.710623}
    rows = s.set_index("customer_id").loc[list(top)]
    got = lv.bg_nbd_conditional_expected_purchases(
        1, rows["frequency"], rows["recency"], rows["T"], bg
    )
    np.testing.assert_allclose(got, list(top.values()), atol=1e-5)


@pytest.mark.realdata
def test_cdnow_bg_nbd_matches_hardie_spreadsheet(cdnow_fits):
    """Values of Fader & Hardie's BG/NBD Excel implementation (as asserted by lifetimes'
    tests).  The spreadsheet truncates the 2F1 series; our closed form is checked against
    numerical integration above, so agreement is to the sheet's 4 displayed decimals."""
    bg, _ = cdnow_fits
    assert lv.bg_nbd_conditional_expected_purchases(39, 2, 30.43, 38.86, bg) == pytest.approx(
        1.226, abs=5e-4
    )
    t = np.array([0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00])
    sheet = np.array([0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576])
    np.testing.assert_allclose(lv.bg_nbd_expected_purchases(t, bg), sheet, atol=5e-4)


@pytest.mark.realdata
def test_cdnow_gamma_gamma_matches_published_estimates(cdnow_fits, cdnow_summary):
    _, gg = cdnow_fits
    assert gg.converged and gg.n_customers == 946
    for k, published in PUBLISHED_GAMMA_GAMMA.items():  # published to 2 decimals
        assert abs(gg.params[k] - published) <= 0.005, (k, gg.params[k], published)
    s = cdnow_summary
    expected = lv.gamma_gamma_conditional_expected_value(s["frequency"], s["monetary_value"], gg)
    assert np.all(expected > 0)
    observed_mean = s.loc[s["frequency"] > 0, "monetary_value"].mean()  # $35.08
    assert observed_mean == pytest.approx(35.078, abs=5e-4)
    assert expected[s["frequency"].to_numpy() > 0].mean() == pytest.approx(observed_mean, rel=0.02)


@pytest.mark.realdata
def test_cdnow_clv_matches_lifetimes_docs(cdnow_rounded_fits):
    """lifetimes docs, GammaGammaFitter.customer_lifetime_value(time=12, discount_rate=0.01)
    with its default freq='D' month of 30 periods applied to weekly data."""
    s, bg, gg = cdnow_rounded_fits
    ids = [1, 2, 3, 6, 7, 9]
    rows = s.set_index("customer_id").loc[ids]
    x, m = rows["frequency"].to_numpy(), rows["monetary_value"].to_numpy()
    value = lv.gamma_gamma_conditional_expected_value(x, m, gg)
    docs_value = [24.658619, 18.911489, 35.170981, 71.462843, 18.911489, 27.282408]
    np.testing.assert_allclose(value, docs_value, rtol=1e-3)
    clv, _ = lv.discounted_clv(
        bg,
        x,
        rows["recency"],
        rows["T"],
        value,
        horizon_months=12,
        annual_discount_rate=1.01**12 - 1,
        periods_per_month=30,
    )
    docs_clv = [140.096211, 18.943467, 38.180574, 1003.868107, 28.109683, 167.418216]
    np.testing.assert_allclose(clv, docs_clv, rtol=1e-3)


@pytest.mark.realdata
def test_customer_lifetime_value_end_to_end_on_cdnow(cdnow, cdnow_fits):
    orders = cdnow.rename(columns={"date": "order_date", "value": "amount"})
    per_customer, params = lv.customer_lifetime_value(orders, observation_end="1997-09-30")
    bg, gg = cdnow_fits
    assert list(per_customer.columns) == lv.PER_CUSTOMER_COLUMNS
    assert list(params.columns) == lv.PARAMS_COLUMNS
    assert len(per_customer) == 2357 and per_customer["customer_id"].is_monotonic_increasing
    assert per_customer["frequency"].sum() == PUBLISHED_CAL_REPEATS
    cal = orders[orders["order_date"] <= "1997-09-30"]
    assert per_customer["historical_value"].sum() == pytest.approx(cal["amount"].sum())
    assert per_customer["order_count"].sum() == len(cal)
    assert (per_customer["clv_model"] == lv.CLV_MODEL_NAME).all()

    est = params.set_index(["model", "parameter"])
    for k, v in bg.params.items():
        assert est.loc[("bg_nbd", k), "estimate"] == pytest.approx(v, abs=1e-9)
        assert est.loc[("bg_nbd", k), "std_error"] == pytest.approx(bg.std_errors[k], abs=1e-9)
    for k, v in gg.params.items():
        assert est.loc[("gamma_gamma", k), "estimate"] == pytest.approx(v, abs=1e-9)
    assert params["converged"].all()
    assert set(params["n_customers"]) == {2357, 946}

    new = per_customer["frequency"] == 0
    assert (per_customer.loc[new, "p_alive"] == 1.0).all()
    pop_mean = gg.params["p"] * gg.params["v"] / (gg.params["q"] - 1)
    np.testing.assert_allclose(
        per_customer.loc[new, "expected_avg_order_value"], pop_mean, rtol=1e-9
    )
    np.testing.assert_allclose(
        per_customer["predicted_clv_horizon"],
        lv.discounted_clv(
            bg,
            per_customer["frequency"],
            per_customer["recency"],
            per_customer["T"],
            per_customer["expected_avg_order_value"],
        )[0],
        rtol=1e-7,
        atol=1e-9,  # outputs are rounded to 10 decimals
    )
    assert (per_customer["predicted_clv_horizon"] > 0).all()
    # deterministic and rounded to 10 decimals
    again, params_again = lv.customer_lifetime_value(orders, observation_end="1997-09-30")
    pd.testing.assert_frame_equal(per_customer, again)
    pd.testing.assert_frame_equal(params, params_again)
    floats = per_customer.select_dtypes("float").to_numpy()
    np.testing.assert_array_equal(floats, np.round(floats, 10))


# ------------------------------------------------------------------------------------------
# API and data preparation
# ------------------------------------------------------------------------------------------


def _toy_orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c", "c", "c"],
            "order_date": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-01 15:30",  # same day as the first: merged
                    "2024-01-15",
                    "2024-03-01",  # after calibration_end
                    "2024-01-08",
                    "2024-01-02",
                    "2024-01-30",
                    "2024-05-01",  # after observation_end: ignored
                ],
                format="ISO8601",
            ),
            "amount": [10.0, 5.0, 30.0, 7.0, 20.0, 8.0, 12.0, 99.0],
        }
    )


def test_rfm_summary_small_example():
    orders = _toy_orders()
    s = lv.rfm_summary(orders, "customer_id", "order_date", "amount", "2024-03-31").set_index(
        "customer_id"
    )
    # a: purchase days 01-01 (15), 01-15 (30), 03-01 (7)
    assert s.loc["a", "frequency"] == 2
    assert s.loc["a", "recency"] == pytest.approx(60 / 7)
    assert s.loc["a", "T"] == pytest.approx(90 / 7)
    assert s.loc["a", "monetary_value"] == pytest.approx((30 + 7) / 2)  # first purchase excluded
    assert s.loc["b", ["frequency", "recency", "monetary_value"]].tolist() == [0, 0.0, 0.0]
    assert s.loc["c", "frequency"] == 1 and s.loc["c", "monetary_value"] == 12.0  # 05-01 ignored

    cal = lv.rfm_summary(
        orders,
        "customer_id",
        "order_date",
        "amount",
        "2024-03-31",
        calibration_end="2024-01-31",
        freq="D",
    ).set_index("customer_id")
    assert cal.loc["a", ["frequency", "recency", "T"]].tolist() == [1, 14.0, 30.0]
    assert cal.loc["a", "frequency_holdout"] == 1 and cal.loc["a", "monetary_value_holdout"] == 7.0
    assert cal.loc["c", "frequency_holdout"] == 0
    assert (cal["duration_holdout"] == 60.0).all()
    # customers whose first purchase is after calibration_end are not in the calibration cohort
    late = lv.rfm_summary(
        orders, "customer_id", "order_date", "amount", "2024-03-31", calibration_end="2024-01-05"
    )
    assert sorted(late["customer_id"]) == ["a", "c"]


def test_missing_columns_raise_value_error():
    orders = _toy_orders()
    with pytest.raises(ValueError, match="amount"):
        lv.customer_lifetime_value(orders.drop(columns="amount"))
    with pytest.raises(ValueError, match="order_date"):
        lv.customer_lifetime_value(orders.drop(columns="order_date"))
    with pytest.raises(ValueError, match="spend"):
        lv.rfm_summary(orders, "customer_id", "order_date", "spend", "2024-03-31")
    with pytest.raises(ValueError, match="freq"):
        lv.rfm_summary(orders, "customer_id", "order_date", "amount", "2024-03-31", freq="Q")


def test_customer_lifetime_value_degenerate_inputs():
    empty, params = lv.customer_lifetime_value(_toy_orders().iloc[0:0])
    assert empty.empty and list(empty.columns) == lv.PER_CUSTOMER_COLUMNS
    assert len(params) == 7 and not params["converged"].any()
    # nobody came back: the models are not identified; NaN predictions, no exception
    single = pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "order_date": ["2024-01-01", "2024-01-05", "2024-02-01"],
            "amount": [5, 6, 7],
        }
    )
    per_customer, params = lv.customer_lifetime_value(single)
    assert len(per_customer) == 3 and not params["converged"].any()
    assert params["estimate"].isna().all()
    assert (per_customer["p_alive"] == 1.0).all()
    assert per_customer["predicted_clv_horizon"].isna().all()
    # default observation_end = last order date
    assert per_customer["T"].tolist() == pytest.approx([31 / 7, 27 / 7, 0.0])


# ------------------------------------------------------------------------------------------
# DuckDB-side customer summary (what the dbt models read) against the pandas reference
# ------------------------------------------------------------------------------------------


def _synthetic_orders(seed: int = 5, n_customers: int = 300, ids_follow_dates: bool = True,
                      max_same_day: int = 4) -> pd.DataFrame:
    """Orders with 1-30 purchase days per customer, some days with 2..max_same_day orders
    (times of day differ), cent amounts, a few undated orders."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        first = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 500)))
        n_days, active = int(rng.integers(1, 31)), int(rng.integers(2, 400))  # then drops out
        days = sorted({first} | {first + pd.Timedelta(days=int(d))
                                 for d in rng.integers(1, active, n_days - 1)})
        for day in days:
            same_day = 1 if rng.random() < 0.8 else int(rng.integers(2, max_same_day + 1))
            for k in range(same_day):
                rows.append({"customer_id": f"C{c:05d}",
                             "order_date": day + pd.Timedelta(hours=int(rng.integers(0, 24))),
                             "amount": round(float(rng.gamma(2.0, 30.0)) + 0.01, 2)})
    orders = pd.DataFrame(rows)
    orders.loc[rng.choice(len(orders), 5, replace=False), "order_date"] = pd.NaT
    order = np.arange(len(orders)) if ids_follow_dates else rng.permutation(len(orders))
    orders.insert(0, "order_id", [f"O{i:07d}" for i in order])
    return orders


def _as_relation(orders: pd.DataFrame):
    """The orders as a DuckDB relation typed like the orders mart (DECIMAL amounts)."""
    import duckdb

    con = duckdb.connect()
    con.register("orders_frame", orders)
    return con.sql(
        "select order_id, customer_id, order_date, cast(amount as decimal(18, 2)) as amount "
        "from orders_frame"
    )


# The synthetic orders are not BG/NBD-shaped (fits end at a search bound, predictions
# overflow); these tests are about equality of the two paths, not about the fit.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("ids_follow_dates, max_same_day", [(True, 4), (False, 2)])
def test_duckdb_summary_equals_rfm_summary(ids_follow_dates, max_same_day):
    """One row per customer out of DuckDB reproduces rfm_summary exactly, bit for bit.

    Exact (not approximately equal) matters: the Gamma-Gamma fit moves by ~1e-7 when
    monetary_value moves by one ulp.  With order ids not following customer and date, the
    equality holds for days of up to two orders (see customer_summary_duckdb)."""
    orders = _synthetic_orders(ids_follow_dates=ids_follow_dates, max_same_day=max_same_day)
    # the reference as the pipeline feeds it: orders in order-id order, amounts as floats
    frame = orders.sort_values("order_id", ignore_index=True)
    reference = lv.customer_summary(frame)
    duck = lv.customer_summary_duckdb(_as_relation(orders))

    rfm = lv.rfm_summary(
        frame.dropna(subset=["order_date"]), "customer_id", "order_date", "amount",
        frame["order_date"].max(),
    )
    rfm_cols = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    pd.testing.assert_frame_equal(
        duck[rfm_cols].astype({"customer_id": object}), rfm[rfm_cols].astype({"customer_id": object}),
        check_exact=True,
    )
    assert (duck["order_count"].to_numpy() == reference["order_count"].to_numpy()).all()
    # historical_value: DuckDB's exact DECIMAL sum; pandas' float sum is within an ulp or two
    np.testing.assert_allclose(duck["historical_value"], reference["historical_value"], rtol=1e-14)
    np.testing.assert_array_equal(duck["historical_value"].round(10),
                                  reference["historical_value"].round(10))
    assert (duck["order_count"] > duck["frequency"]).any()  # same-day orders were merged

    per_duck, params_duck = lv.lifetime_value_from_summary(duck)
    per_ref, params_ref = lv.customer_lifetime_value(frame)
    pd.testing.assert_frame_equal(params_duck, params_ref, check_exact=True)
    pd.testing.assert_frame_equal(per_duck.astype({"customer_id": object}),
                                  per_ref.astype({"customer_id": object}), check_exact=True)


def test_duckdb_summary_observation_end_and_bad_input():
    orders = _synthetic_orders(n_customers=40)
    end = "2023-09-30"
    frame = orders.sort_values("order_id", ignore_index=True)
    duck = lv.customer_summary_duckdb(_as_relation(orders), observation_end=end, freq="D")
    reference = lv.customer_summary(frame, observation_end=end, freq="D")
    cols = ["frequency", "recency", "T", "monetary_value", "order_count"]
    pd.testing.assert_frame_equal(duck[cols], reference[cols], check_exact=True)
    assert duck["customer_id"].tolist() == reference["customer_id"].tolist()

    import duckdb

    empty = lv.customer_summary_duckdb(duckdb.sql(
        "select 'a' as customer_id, null::date as order_date, 1.5 as amount"))
    assert empty.empty and list(empty.columns) == lv.SUMMARY_COLUMNS
    # written to DuckDB, the empty summary and the outputs fitted from it have the types a
    # filled one has (an empty column of Python objects would be written as INTEGER)
    filled = lv.customer_summary_duckdb(_as_relation(orders), observation_end=end, freq="D")
    outputs = lv.lifetime_value_from_summary(empty)[0]
    assert duckdb.from_df(empty).types == duckdb.from_df(filled).types
    output_types = dict(zip(outputs.columns, map(str, duckdb.from_df(outputs).types), strict=True))
    assert (output_types["customer_id"], output_types["clv_model"]) == ("VARCHAR", "VARCHAR")
    with pytest.raises(ValueError, match="null/non-numeric"):
        lv.customer_summary_duckdb(duckdb.sql(
            "select 'a' as customer_id, date '2024-01-01' as order_date, null::double as amount"))
    with pytest.raises(ValueError, match="amount"):
        lv.customer_summary_duckdb(duckdb.sql(
            "select 'a' as customer_id, date '2024-01-01' as order_date"))
    # the temporary purchase-day table is dropped, after a summary and after an error alike
    assert duckdb.sql("select count(*) from duckdb_tables() where temporary").fetchone()[0] == 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_fit_is_reused_for_the_same_summary():
    summary = lv.customer_summary(_synthetic_orders(n_customers=120))
    first = lv.fit_models(summary)
    calls = []
    original = lv.fit_bg_nbd
    try:
        lv.fit_bg_nbd = lambda *a, **k: calls.append(1) or original(*a, **k)
        again = lv.fit_models(summary.copy())
        changed = summary.assign(monetary_value=summary["monetary_value"] * 1.01)
        lv.fit_models(changed)
    finally:
        lv.fit_bg_nbd = original
    assert again[0].params == first[0].params and again[1].params == first[1].params
    assert len(calls) == 1  # the copy reused the fit, the changed summary did not
    assert lv.lifetime_value_parameters(summary).equals(lv.lifetime_value_from_summary(summary)[1])


def test_fit_without_standard_errors_says_why():
    """A log-likelihood flat in one parameter: the fit converges, its Hessian is singular,
    so the standard errors are NaN (NULL in lifetime_value_model) and the message says why;
    the same likelihood with the parameter identified gets finite errors and no such note."""
    y = np.random.default_rng(3).normal(2.0, 0.5, 400)

    def normal_ll(uses_second: bool):
        def loglik_and_grad(params):
            mu, other = params
            shift = (other - 1.0) if uses_second else 0.0
            resid = y - mu - shift
            ll = -0.5 * resid**2 - (0.5 * (other - 1.0) ** 2 if uses_second else 0.0)
            g_mu = resid
            g_other = (resid - (other - 1.0)) if uses_second else np.zeros_like(y)
            return ll, np.column_stack([g_mu, g_other])
        return loglik_and_grad

    weights = np.ones_like(y)
    flat = lv._mle("toy", ("mu", "other"), normal_ll(False), weights, [np.zeros(2)], 0.0)
    assert flat.converged, flat.message
    assert np.isnan(flat.std_errors["mu"]) and np.isnan(flat.std_errors["other"])
    assert flat.message.startswith("no standard errors: the Hessian")
    frame = flat.to_frame()
    assert list(frame.columns) == lv.PARAMS_COLUMNS
    assert (frame["message"] == flat.message).all()

    identified = lv._mle("toy", ("mu", "other"), normal_ll(True), weights, [np.zeros(2)], 0.0)
    assert identified.converged, identified.message
    assert all(np.isfinite(v) and v > 0 for v in identified.std_errors.values())
    assert "no standard errors" not in identified.message


# --- the holdout check (var lifetime_value_calibration_end) --------------------------------


def test_holdout_purchase_days_match_rfm_summary_on_cdnow(cdnow, cdnow_summary):
    """The holdout counts are rfm_summary's frequency_holdout (purchase days after the
    calibration end), from pandas and from DuckDB alike; the holdout is weeks 40-78."""
    import duckdb

    orders = cdnow.rename(columns={"date": "order_date", "value": "amount"})
    reference = cdnow_summary.set_index("customer_id")["frequency_holdout"]
    pandas_days, pandas_weeks = lv.holdout_purchase_days(orders, "1997-09-30")
    con = duckdb.connect()
    con.register("cdnow_orders", orders[["customer_id", "order_date", "amount"]])
    duck_days, duck_weeks = lv.holdout_purchase_days_duckdb(
        con.sql("select * from cdnow_orders"), "1997-09-30"
    )
    assert pandas_weeks == duck_weeks == 39.0
    for days in (pandas_days, duck_days):
        days = days.set_index("customer_id")["holdout_purchase_days"]
        assert len(days) == 2357
        assert (days.reindex(reference.index).to_numpy() == reference.to_numpy()).all()
    assert int(reference.sum()) > 0


def simulate_bg_nbd_orders(n, r, alpha, a, b, first_days, end_day, rng) -> pd.DataFrame:
    """Orders from the BG/NBD process (as simulate_bg_nbd, time in weeks): customer i first
    buys on day first_days[i] after 2020-01-01 and every purchase until end_day is an order
    on the day it falls on."""
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    rows = [(i, float(d)) for i, d in enumerate(first_days)]
    t = first_days / 7.0
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        t[idx] += rng.exponential(1.0 / lam[idx])
        inside = t[idx] * 7.0 <= end_day
        rows += [(i, t[i] * 7.0) for i in idx[inside]]
        dies = rng.random(idx.size) < p[idx]
        active[idx] = inside & ~dies
    customer, day = map(np.asarray, zip(*rows, strict=True))
    return pd.DataFrame({
        "order_id": [f"O{k:07d}" for k in range(len(customer))],
        "customer_id": [f"C{c:05d}" for c in customer],
        "order_date": pd.Timestamp("2020-01-01") + pd.to_timedelta(np.floor(day), unit="D"),
        "amount": np.round(rng.gamma(3.0, 15.0, len(customer)) + 1.0, 2),
    })


def test_holdout_check_finds_the_planted_purchase_rate():
    """Known answer: orders simulated from the BG/NBD process (r 0.5, alpha 5, a 0.6, b 3.0,
    customers acquired over 12 weeks, 39 weeks of calibration, 39 of holdout, as CDNOW). The
    pipeline fitted on the calibration weeks expects, over the holdout, the purchases the
    customers made, in total and for the heaviest buyers. The calibration end must leave
    orders after it; a text that is no date is named as the var."""
    from customer_behavior import pipeline

    n = 10_000  # at 4,000 customers the holdout total moves by +-8 % between seeds
    rng = np.random.default_rng(11)
    orders = simulate_bg_nbd_orders(
        n, 0.5, 5.0, 0.6, 3.0, rng.integers(0, 84, n).astype(float), 546, rng
    )
    end = (pd.Timestamp("2020-01-01") + pd.Timedelta(days=273)).date().isoformat()
    inputs = pipeline.lifetime_value_inputs(orders, calibration_end=end)
    per_customer, parameters = pipeline.lifetime_value_from_inputs(inputs)
    assert len(per_customer) == n
    # the holdout runs from the calibration end to the last order date
    last = orders["order_date"].max()
    weeks = per_customer["holdout_weeks"].unique()
    assert len(weeks) == 1 and weeks[0] == pytest.approx((last - pd.Timestamp(end)).days / 7)
    fitted = parameters.set_index("parameter")["estimate"]
    assert fitted["r"] == pytest.approx(0.5, rel=0.25)
    actual = per_customer["holdout_purchase_days"]
    expected = per_customer["expected_holdout_purchases"]
    assert actual.sum() > 10_000
    assert expected.sum() == pytest.approx(actual.sum(), rel=0.05)
    heavy = per_customer["repeat_purchase_weeks"] >= 7
    assert heavy.sum() > 500
    assert expected[heavy].sum() == pytest.approx(actual[heavy].sum(), rel=0.08)
    # without a calibration end the holdout columns are there and empty
    plain, _ = pipeline.lifetime_value_from_inputs(pipeline.lifetime_value_inputs(orders))
    assert plain["expected_holdout_purchases"].isna().all()
    assert plain["holdout_purchase_days"].isna().all()
    with pytest.raises(ValueError, match="before the last"):
        pipeline.lifetime_value_inputs(orders, calibration_end="2099-01-01")
    with pytest.raises(ValueError, match="lifetime_value_calibration_end"):
        pipeline.lifetime_value_inputs(orders, calibration_end="last spring")
