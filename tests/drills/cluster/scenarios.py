"""The six things the drill shows, each as a figure (README.md here says what each proves)."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from tests.drills.cluster import hosts, network, proxy
from tests.drills.cluster.browser import Browser
from tests.drills.cluster.hosts import Service, wait_until
from tests.drills.cluster.load import PATHS, Figures, Load
from tests.drills.cluster.network import WEB_A, WEB_B, WORKER_A, Host
from tests.drills.cluster.proxy import BACKEND_ROW

SIGNED_IN = "Sign out"
WRONG_PASSWORD_SAID = "not correct"
LOCKED_OUT = "Too many failed attempts to sign in"
WRONG_PASSWORD = "a-wrong-password-2026"
MESSAGES = 800  # sixteen tasks of 50
EVERY_MINUTE = "Cluster drill: on the minute"
SWEEP = "Send due outbox messages"
SWEEP_SECONDS = 5
# Beat writes a run down straight after sending it; a crowded machine may take a second.
BEAT_WRITE_GRACE_S = 2


@dataclass(frozen=True)
class Outcome:
    claim: str
    figure: str
    passed: bool


@dataclass
class Cluster:
    """What the scenarios act on."""

    run_dir: Path
    env: dict[str, str]
    certificate: Path
    staff_email: str
    password: str
    session_cookie: str
    beat: Service
    load_log: Path

    def background_load(self, seconds: float) -> Load:
        return Load(self.session_cookie, connections=2, seconds=seconds, log=self.load_log)


def under_load(cluster: Cluster, seconds: float, work: Callable[[], Outcome]) -> Outcome:
    """Run `work` while wrk sends signed-in pages through the proxy; fail on any lost request."""
    load = cluster.background_load(seconds)
    try:
        outcome = work()
    finally:
        figures = load.stop()
    return Outcome(
        outcome.claim,
        f"{outcome.figure}. Meanwhile through the proxy: {figures.summary()}",
        outcome.passed and figures.lost == 0 and figures.ok > 0,
    )


# --- 1. A session made on one web host works on the other ---------------------------------------


def session_on_both_hosts(cluster: Cluster) -> Outcome:
    def work() -> Outcome:
        person = Browser(cluster.certificate, address="192.0.2.10")
        signed_in = person.sign_in(cluster.staff_email, cluster.password, via=WEB_A)
        cookie = person.cookies.get("sessionid", "")
        pages = [person.get(path, via=WEB_B) for path in PATHS]
        good = sum(page.status == 200 and SIGNED_IN in page.body for page in pages)
        signed_out = person.post_form("/accounts/logout/", {}, via=WEB_B)
        stale = Browser(cluster.certificate, cookies={"sessionid": cookie}).get("/", via=WEB_A)
        ended = stale.status == 200 and SIGNED_IN not in stale.body
        passed = signed_in.status == 302 and bool(cookie) and good == len(pages) and ended
        return Outcome(
            "A session made on one web host works on the other",
            f"signed in on web-a ({signed_in.status}); with that cookie {good} of {len(pages)} "
            f"pages on web-b answered 200 signed in; signed out on web-b "
            f"({signed_out.status}); the same cookie on web-a was then "
            f"{'signed out' if ended else f'still signed in ({stale.status})'}",
            passed,
        )

    return under_load(cluster, 120, work)


# --- 2. The sign-in rate limit counts across hosts ----------------------------------------------


def sign_in_limit_across_hosts(cluster: Cluster, email: str) -> Outcome:
    def work() -> Outcome:
        person = Browser(cluster.certificate, address="192.0.2.20")
        doors = [WEB_A, WEB_B, WEB_A, WEB_B, WEB_A]
        refused_as_wrong = sum(
            WRONG_PASSWORD_SAID in person.sign_in(email, WRONG_PASSWORD, via=door).body
            for door in doors
        )
        sixth = person.sign_in(email, WRONG_PASSWORD, via=WEB_B).body
        right = person.sign_in(email, cluster.password, via=WEB_A)
        found = re.search(r"Try again in \d+ minutes?", right.body)
        passed = (
            refused_as_wrong == len(doors)
            and LOCKED_OUT in sixth
            and LOCKED_OUT in right.body
            and "sessionid" not in person.cookies
        )
        return Outcome(
            "The sign-in rate limit counts across hosts",
            f"5 wrong passwords for one account, 3 on web-a and 2 on web-b "
            f"({refused_as_wrong} told the password was wrong); the 6th, on web-b, "
            f"{'was locked out' if LOCKED_OUT in sixth else 'was NOT locked out'}; then the right "
            f"password on web-a {'was locked out too' if LOCKED_OUT in right.body else 'got in'}"
            f"{f' ({found.group(0)!r})' if found else ''}",
            passed,
        )

    return under_load(cluster, 120, work)


# --- 3. Losing a web host mid-load --------------------------------------------------------------


def web_host_lost(cluster: Cluster) -> Outcome:
    load = Load(cluster.session_cookie, connections=4, seconds=60, log=cluster.load_log)
    try:
        time.sleep(8)
        before = proxy.server_stats(cluster.run_dir)
        network.link_down(WEB_A)
        lost_at_wall = time.time()
        # Cut off, the host can finish nothing more: what the proxy has on it now is lost.
        in_flight = int(proxy.server_stats(cluster.run_dir)[WEB_A.name]["scur"])
        killed = network.kill_everything_in(WEB_A.namespace)

        def marked_down() -> bool:
            return proxy.server_stats(cluster.run_dir)[WEB_A.name]["status"].startswith("DOWN")

        down_after = wait_until(
            marked_down, timeout=30, what="the proxy to mark web-a down", every=0.1
        )
        sent_to_a_at_down = int(proxy.server_stats(cluster.run_dir)[WEB_A.name]["stot"])
        time.sleep(10)  # the survivor alone carries the load
    finally:
        figures: Figures = load.stop()
    after = proxy.server_stats(cluster.run_dir)
    sent_to_a_after_down = int(after[WEB_A.name]["stot"]) - sent_to_a_at_down
    retried = sum(
        int(after[BACKEND_ROW][counter]) - int(before[BACKEND_ROW][counter])
        for counter in ("wretr", "wredis")
    )
    last_answer_from_a = figures.last_second.get(WEB_A.name, 0) - int(lost_at_wall)
    passed = (
        figures.lost <= in_flight
        and down_after <= 5
        and sent_to_a_after_down == 0
        and figures.by_server.get(WEB_B.name, 0) > 0
    )
    return Outcome(
        "Losing a web host mid-load loses only the requests in flight on it",
        f"web-a cut off and its {killed} processes killed after 8 s of load (4 connections); "
        f"{in_flight} requests in flight on it; {figures.lost} failed "
        f"({_statuses(figures)}); the proxy marked it down {down_after:.1f} s later and sent it "
        f"nothing after that ({sent_to_a_after_down} requests); {retried} connections retried or "
        f"sent to web-b instead; the last answer from web-a came "
        f"{max(last_answer_from_a, 0)} s (whole seconds) after the loss; {figures.summary()}",
        passed,
    )


def _statuses(figures: Figures) -> str:
    other = {code: n for code, n in figures.statuses.items() if code != "200"}
    parts = [f"{n} answered {code}" for code, n in sorted(other.items())]
    parts.append(f"{figures.socket_errors} without an answer")
    return ", ".join(parts)


# --- 4. Losing a worker host mid-batch ----------------------------------------------------------


def worker_host_lost(cluster: Cluster) -> Outcome:
    from tests.drills.conftest import make_recipients, queue_notices, statuses

    mail = cluster.run_dir / "mail"
    received_file, held_file, hold = (
        mail / "received.jsonl",
        mail / "held.jsonl",
        mail / "hold",
    )

    def received() -> list[dict[str, object]]:
        return [json.loads(line) for line in received_file.read_text().splitlines() if line]

    def held() -> int:
        return len(held_file.read_text().splitlines()) if held_file.exists() else 0

    def work() -> Outcome:
        users = make_recipients(MESSAGES, "cluster")
        addresses = {user.email for user in users}
        queue_notices(users, "cluster")
        wait_until(lambda: len(received()) >= 100, timeout=90, what="the first 100 emails")
        # Both of worker-a's processes are now sending: hold their next sends at the mail
        # server (never accepted), and lose the host while they wait.
        hold.write_text(WORKER_A.address)
        wait_until(lambda: held() >= 2, timeout=30, what="both of worker-a's processes mid-send")
        killed = hosts.lose_host(WORKER_A)
        lost_at = time.monotonic()
        at_loss = statuses()
        sent_at_loss = len(received())
        hold.unlink()
        wait_until(
            lambda: statuses() == {"sent": MESSAGES},
            timeout=180,
            what="every message to be sent",
            every=0.5,
        )
        finished_after = time.monotonic() - lost_at
        ours = [line for line in received() if line["to"] in addresses]
        per_recipient = Counter(str(line["to"]) for line in ours)
        duplicates = sum(count - 1 for count in per_recipient.values())
        missing = len(addresses - set(per_recipient))
        by_host = Counter(
            {WORKER_A.address: "worker-a", network.WORKER_B.address: "worker-b"}.get(
                str(line["peer"]), str(line["peer"])
            )
            for line in ours
        )
        passed = duplicates == 0 and missing == 0 and len(ours) == MESSAGES
        return Outcome(
            "Losing a worker host mid-batch still sends every email exactly once",
            f"{MESSAGES} emails queued; worker-a cut off and its {killed} processes killed with "
            f"{sent_at_loss} sent, {at_loss.get('sending', 0)} claimed (2 of them mid-send on "
            f"worker-a), {at_loss.get('pending', 0)} waiting; worker-b and the sweep finished "
            f"{finished_after:.1f} s later; {len(ours)} emails received for {MESSAGES} queued "
            f"({', '.join(f'{n} from {h}' for h, n in sorted(by_host.items()))}), "
            f"{duplicates} duplicates, {missing} missing",
            passed,
        )

    return under_load(cluster, 240, work)


# --- 5. Moving beat to another host -------------------------------------------------------------

SENDING = re.compile(r"Sending due task (?P<name>.+) \((?P<task>[\w.]+)\)$")


def beat_sends(service: Service) -> list[tuple[str, float, str]]:
    """(schedule name, time, host) for each task this beat sent, from its JSON log lines."""
    sends = []
    for line in service.log_text().splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        found = SENDING.search(str(record.get("message", "")))
        if found:
            at = datetime.fromisoformat(record["time"]).timestamp()
            sends.append((found["name"], at, service.host.name))
    return sends


def schedule_periods() -> dict[str, float]:
    """Seconds between a schedule's runs: its interval, or a minute for a crontab (the finest)."""
    from django_celery_beat.models import PeriodicTask

    return {
        task.name: (
            timedelta(**{task.interval.period: task.interval.every}).total_seconds()
            if task.interval
            else 60.0
        )
        for task in PeriodicTask.objects.select_related("interval")
    }


def beat_moved(cluster: Cluster) -> Outcome:
    """Stop beat cleanly (SIGTERM) on its host and start it on worker-b."""
    return under_load(
        cluster, 240, lambda: _beat_handover(cluster, to=network.WORKER_B, lose=False)
    )


def beat_host_lost(cluster: Cluster) -> Outcome:
    """Lose the host beat runs on (no clean stop) and start beat on the beat host again."""
    return under_load(cluster, 240, lambda: _beat_handover(cluster, to=network.BEAT, lose=True))


def _beat_handover(cluster: Cluster, *, to: Host, lose: bool) -> Outcome:
    old = cluster.beat
    started = time.time()

    def sent_on_the_minute(service: Service, after: float) -> bool:
        return any(n == EVERY_MINUTE and at > after for n, at, _ in beat_sends(service))

    # Just after a run on the minute: the moment a new beat that did not know of it would
    # run it again. Not within the milliseconds beat takes to write the run down: a SIGTERM
    # there raises inside the write and loses it, and so does a cut network (ADR 0036).
    wait_until(
        lambda: sent_on_the_minute(old, started), timeout=75, what="beat's on-the-minute run"
    )
    time.sleep(BEAT_WRITE_GRACE_S)
    if lose:
        hosts.lose_host(old.host)
        how = f"{old.host.name} lost (cut off, every process killed)"
    else:
        how = f"beat stopped on {old.host.name} (in {old.stop():.1f} s)"
    handed_over_at = time.time()
    new = hosts.celery_beat(to, cluster.env, cluster.run_dir).start()
    cluster.beat = new
    wait_until(lambda: "beat: Starting" in new.log_text(), timeout=60, what="the new beat")
    new.check_alive()
    wait_until(
        lambda: sent_on_the_minute(new, handed_over_at + 5),
        timeout=80,
        what="the new beat's next on-the-minute run",
    )
    time.sleep(SWEEP_SECONDS + 2)
    new.check_alive()
    sends = sorted(beat_sends(old) + beat_sends(new), key=lambda send: send[1])
    window = [send for send in sends if send[1] >= started]
    periods = schedule_periods()
    twice = Counter(
        name
        for name in {name for name, _, _ in window}
        for first, second in pairwise(sorted(at for n, at, _ in window if n == name))
        if second - first < periods.get(name, 60.0) / 2
    )
    minute_runs = [
        f"{datetime.fromtimestamp(at, UTC):%H:%M:%S} UTC on {host}"
        for name, at, host in window
        if name == EVERY_MINUTE
    ]
    by_host = Counter(host for _, _, host in window)
    old_last = max((at for _, at, host in window if host == old.host.name), default=0)
    new_first = min((at for _, at, host in window if host == to.name), default=0)
    passed = not twice and bool(by_host.get(to.name))
    doubled = ", ".join(f"{name!r} {count} time(s)" for name, count in sorted(twice.items()))
    what = "Losing beat's host" if lose else "Stopping beat"
    return Outcome(
        f"{what} and starting it on another host runs no schedule twice",
        f"{how} {BEAT_WRITE_GRACE_S} s after its on-the-minute run; beat started on host "
        f"{to.name}; {len(window)} runs "
        f"of {len({name for name, _, _ in window})} schedules in "
        f"{window[-1][1] - started:.0f} s "
        f"({', '.join(f'{n} by {h}' for h, n in sorted(by_host.items()))}), "
        f"{new_first - old_last:.1f} s between the last run of the old beat and the first of the "
        f"new; on the minute: {', '.join(minute_runs)}; schedules run twice (two runs closer "
        f"than half their interval): {doubled or 'none'}",
        passed,
    )
