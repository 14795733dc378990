"""The rate limiter: even spacing under the budget, and holds for Retry-After."""

from __future__ import annotations

import itertools

from tap_lucca.throttle import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def send_times(limiter: RateLimiter, clock: FakeClock, count: int) -> list[float]:
    times = []
    for _ in range(count):
        limiter.acquire()
        times.append(clock.now)
    return times


def test_no_sixty_second_window_holds_more_than_the_budget():
    clock = FakeClock()
    times = send_times(RateLimiter(50, clock=clock, sleep=clock.sleep), clock, 200)

    busiest = max(sum(1 for t in times if start <= t < start + 60) for start in times)
    assert busiest == 50


def test_requests_are_spaced_evenly_rather_than_in_bursts():
    clock = FakeClock()
    times = send_times(RateLimiter(50, clock=clock, sleep=clock.sleep), clock, 10)

    gaps = {round(b - a, 6) for a, b in itertools.pairwise(times)}
    assert gaps == {round(60 / 50 * 1.01, 6)}


def test_first_request_goes_at_once():
    clock = FakeClock()
    send_times(RateLimiter(50, clock=clock, sleep=clock.sleep), clock, 1)

    assert clock.now == 100.0


def test_hold_delays_the_next_request_by_retry_after():
    clock = FakeClock()
    limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.hold(30)

    limiter.acquire()

    assert clock.now == 130.0
