"""Faults, for real: a Celery worker process killed with SIGKILL half way through the chase, Redis restarted
under a running worker, a web request made while Redis is down, a worker killed after the mail server took a
digest but before it recorded it, and a digest still being e-mailed while the next chase files new items.

Each test starts its own redis-server on a spare port (never the shared one on 6379) and real
``celery worker`` processes against the pytest test database, so the tests are transactional: the worker
sees only committed rows. The test process sends tasks through a separate Celery client (its own app runs
tasks eagerly), the way beat would.

Redelivery of a task whose worker died: kombu's Redis transport keeps every delivered, unacknowledged
message in the ``unacked`` hash, indexed by delivery time in ``unacked_index``. A worker puts back the ones
older than ``visibility_timeout`` when its event loop starts (``QoS.restore_visible`` from
``on_poll_init``) and then only every ``unacked_restore_interval * unacked_restore_throttle`` seconds
(100 s by default). So the tests run workers with CELERY_VISIBILITY_TIMEOUT=3 and start the replacement
worker only once the dead worker's message is older than that: it is then redelivered at start-up.
"""

from __future__ import annotations

import datetime
import email
import os
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import time_machine
from celery import Celery
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.mail.backends import filebased, locmem
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from core.models import OutboxEvent, User
from lifecycle.models import Policy, PolicyVersion
from lifecycle.states import Status
from notifications import services
from notifications.models import Digest, Notification, Reminder
from notifications.services import chase_plan
from tests.factories import UserFactory, advance_to, fill_scoping, what_was_read

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 3
DEADLINE = 60
POLICY_COUNT = 3000
DEVELOPER_COUNT = 50
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def wait_for(condition, *, timeout: float = DEADLINE, interval: float = 0.05, message: str = ""):
    """Poll ``condition`` until it returns something truthy; fail with ``message`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s: {message() if callable(message) else message}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the broker ----------------------------------------------------------------------------------


class RedisServer:
    """A private, throwaway redis-server: nothing saved, so a restart loses every queued message."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.directory / f"redis-{self.starts}.log", "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        wait_for(self.is_up, timeout=10, message=f"redis-server did not start on port {self.port}")

    def is_up(self) -> bool:
        try:
            return self.client().ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        """``SHUTDOWN NOSAVE``: the data goes with it, as with a broker host that died."""
        if self.process is None or self.process.poll() is not None:
            return
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, timeout=10)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def queued(self) -> int:
        """Messages waiting in the default queue (every priority list) plus those delivered and not acked."""
        client = self.client()
        waiting = sum(client.llen(key) for key in client.keys("celery*") if client.type(key) == b"list")
        return waiting + client.hlen("unacked")

    def unacked_delivery_times(self) -> list[float]:
        return [score for _, score in self.client().zrange("unacked_index", 0, -1, withscores=True)]


class Beat:
    """Sends tasks by name from outside the worker, as celery beat would."""

    def __init__(self, broker_url: str):
        self.app = Celery("policyhub-fault-tests", broker=broker_url, set_as_current=False)

    def send(self, name: str, **kwargs) -> str:
        return self.app.send_task(f"notifications.tasks.{name}", kwargs=kwargs).id

    def close(self) -> None:
        self.app.close()


# --- mail servers that stall ----------------------------------------------------------------------


class HangAfterHandOver(filebased.EmailBackend):
    """The file backend, except that the first message sent while the file named by
    POLICYHUB_FAULTS_HANG_FLAG exists is written and then the worker hangs, as if the mail server had taken
    the message and the worker never got back to its commit. It touches ``<flag>.hanging`` to say so."""

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        flag = Path(os.environ["POLICYHUB_FAULTS_HANG_FLAG"])
        try:
            flag.unlink()
        except FileNotFoundError:
            return sent
        flag.with_suffix(".hanging").touch()
        time.sleep(120)
        return sent


class PausedAfterHandOver(locmem.EmailBackend):
    """In-process: keeps the message (django.core.mail.outbox), then waits until the test releases it."""

    handed_over = threading.Event()
    release = threading.Event()

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        self.handed_over.set()
        self.release.wait(30)
        return sent


# --- the worker ----------------------------------------------------------------------------------


def worker_database_url() -> str:
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "postgres")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"])
    return (f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
            f"{settings['NAME']}")




class Worker:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process = process
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self, lines: int = 40) -> str:
        return f"--- {self.log_path.name} ---\n" + "\n".join(self.log().splitlines()[-lines:])

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self) -> None:
        wait_for(lambda: " ready." in self.log() or not self.alive(), timeout=45,
                 message=lambda: "worker not ready\n" + self.tail())
        assert self.alive(), "worker exited at start-up\n" + self.tail()

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no chance to put its message back or roll anything forward."""
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def start_worker(transactional_db, redis_server, mail_dir, tmp_path):
    """``start_worker()`` runs a real ``celery worker`` (solo pool, one task at a time) against the test
    database and the private Redis, writing e-mails to ``mail_dir``. All are stopped at teardown."""
    started: list[Worker] = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "policyhub.settings.test",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": redis_server.url,
        "REDIS_URL": redis_server.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "PYTHONUNBUFFERED": "1",
    }

    def start(**extra_env: str) -> Worker:
        log_path = tmp_path / f"worker-{len(started) + 1}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [str(ROOT / ".venv/bin/celery"), "-A", "policyhub", "worker", "--pool=solo", "--concurrency=1",
                 "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "info",
                 "-n", f"faults{len(started) + 1}@%h"],
                cwd=ROOT, env={**env, **extra_env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        worker = Worker(process, log_path)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def beat(redis_server):
    client = Beat(redis_server.url)
    yield client
    client.close()


# --- the register --------------------------------------------------------------------------------


def build_register(people, today: datetime.date, count: int = POLICY_COUNT) -> list[Policy]:
    """One policy published through the services three years ago (its review due in 20 days, its monitoring
    report long overdue), and ``count`` more published policies written in bulk, reviews due from four
    months ago to six months ahead, spread over DEVELOPER_COUNT developers."""
    published_on = today - relativedelta(years=3) + datetime.timedelta(days=20)
    with time_machine.travel(datetime.datetime.combine(published_on - datetime.timedelta(days=30),
                                                       datetime.time(9, 0)), tick=False):
        policy = people.policy()
    with time_machine.travel(datetime.datetime.combine(published_on, datetime.time(9, 0)), tick=False):
        advance_to(policy, Status.IMPLEMENTATION, people)

    developers = [UserFactory(username=f"fault-developer-{n}") for n in range(DEVELOPER_COUNT)]
    rows = []
    for n in range(count):
        review_due_on = today + datetime.timedelta(days=-120 + (n * 7) % 296)  # 120 days overdue … 175 ahead
        first_published_on = review_due_on - relativedelta(years=3)
        rows.append(Policy(
            reference=f"POL-{10000 + n}", title=f"Operational policy {n}", purpose="Consistent practice.",
            relevant_to="All officers and staff.", business_group=people.group, owning_unit=people.unit,
            owner=people.owner, designated_lead=people.lead, policy_manager=people.manager,
            coordinator=people.coordinator,
            status=Status.IMPLEMENTATION if n % 2 else Status.MONITORING,
            status_changed_at=timezone.make_aware(datetime.datetime.combine(first_published_on, datetime.time(9))),
            first_published_on=first_published_on, last_published_on=first_published_on,
            review_due_on=review_due_on,
            monitoring_report_due_on=today + datetime.timedelta(days=-60 + (n * 11) % 400),
        ))
    policies = Policy.objects.bulk_create(rows, batch_size=1000)
    through = Policy.developers.through
    through.objects.bulk_create(
        [through(policy_id=row.pk, user_id=developers[n % DEVELOPER_COUNT].pk) for n, row in enumerate(policies)]
        + [through(policy_id=row.pk, user_id=developers[(n + 17) % DEVELOPER_COUNT].pk)
           for n, row in enumerate(policies) if n % 3 == 0],
        batch_size=2000,
    )
    PolicyVersion.objects.bulk_create(
        [PolicyVersion(policy_id=row.pk, major=1, minor=0, author=developers[n % DEVELOPER_COUNT],
                       statement="<p>Officers will act consistently.</p>") for n, row in enumerate(policies)],
        batch_size=1000,
    )
    return [policy, *policies]


def planned_register(people) -> tuple[datetime.date, list, int, int]:
    """The full register built for today, and the chase's plan for it: (today, plan, how many reminders, how
    many recipients)."""
    today = timezone.localdate()
    build_register(people, today)
    plan = chase_plan(today=today)
    return today, plan, len(plan), len({item.recipient_id for item in plan})


def planned_keys(plan) -> set[tuple]:
    return {(item.policy_id, item.cycle, item.recipient_id, item.kind, item.due_on) for item in plan}


def ledger_keys() -> list[tuple]:
    return list(Reminder.objects.values_list("policy_id", "cycle", "recipient_id", "kind", "due_on"))


def sent_mail(mail_dir: Path) -> list[dict]:
    """Every message the file backend wrote (it appends, separated by a line of 79 dashes)."""
    messages = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(MAIL_SEPARATOR):
            if chunk.strip():
                message = email.message_from_bytes(chunk)
                messages.append({"message_id": message["Message-ID"], "to": message["To"], "file": path.name})
    return messages


def kill_when_part_written(worker: Worker, expected: int, *, on_part_written) -> int:
    """Poll until the chase is part way: its ledger committed (one statement writes all of it, issue 16) and the
    inbox not yet (the next statement, in a transaction of its own), then call ``on_part_written``. Returns the
    reminders written."""
    seen = []

    def part_written():
        assert worker.alive(), "worker died on its own\n" + worker.tail()
        reminders, inbox = Reminder.objects.count(), Notification.objects.filter(reminder__isnull=False).count()
        seen.append((reminders, inbox))
        assert inbox < expected, f"the chase finished before it could be interrupted (seen: {sorted(set(seen))})"
        return reminders == expected and inbox == 0

    wait_for(part_written, timeout=DEADLINE, interval=0.002, message="no reminder was ever written")
    on_part_written()
    return Reminder.objects.count()


def delivered_exactly_once(*, today, plan, mail_dir: Path) -> dict:
    """The ledger is the plan, no more, no less; one inbox item per reminder; one digest per person, sent;
    one e-mail per digest. Returns the figures."""
    ledger = ledger_keys()
    duplicates = [key for key, count in Counter(ledger).items() if count > 1]
    assert not duplicates, duplicates[:5]
    assert set(ledger) == planned_keys(plan), (
        f"missing {len(planned_keys(plan) - set(ledger))}, unexpected {len(set(ledger) - planned_keys(plan))}"
    )
    reminders = len(ledger)
    assert Notification.objects.filter(reminder__isnull=False).count() == reminders
    assert Notification.objects.filter(reminder__isnull=True).count() == 0
    assert Notification.objects.filter(digest__isnull=True).count() == 0

    recipients = {item.recipient_id for item in plan}
    digests = list(Digest.objects.filter(digest_date=today).values("recipient_id", "sent_at", "item_count", "pk"))
    assert Counter(digest["recipient_id"] for digest in digests) == Counter(recipients)
    assert Digest.objects.exclude(digest_date=today).count() == 0
    assert all(digest["sent_at"] for digest in digests)
    assert sum(digest["item_count"] for digest in digests) == reminders

    messages = sent_mail(mail_dir)
    by_message_id = Counter(message["message_id"] for message in messages)
    duplicated = {message_id: count for message_id, count in by_message_id.items() if count > 1}
    figures = {"planned": len(plan), "reminders": reminders, "notifications": reminders,
               "digests": len(digests), "emails": len(messages), "unique_message_ids": len(by_message_id),
               "duplicate_emails": duplicated, "mail_files": len(list(mail_dir.iterdir()))}
    print(f"\n  figures: {figures}")
    assert not duplicated, f"the same digest was e-mailed more than once: {duplicated}"
    assert set(by_message_id) == {f"<digest-{digest['pk']}@policyhub>" for digest in digests}
    emails = dict(Digest.objects.filter(digest_date=today).values_list("pk", "recipient__email"))
    assert sorted(message["to"] for message in messages) == sorted(emails.values())
    return figures


def settle(redis_server: RedisServer, worker: Worker) -> None:
    """Wait until the worker has nothing queued or in hand (twice in a row, a moment apart)."""
    def idle():
        assert worker.alive(), "worker died\n" + worker.tail()
        if redis_server.queued():
            return False
        time.sleep(0.5)
        return redis_server.queued() == 0

    wait_for(idle, message=lambda: "tasks still queued\n" + worker.tail())


def all_sent(today, expected: int, recipients: int):
    return (Reminder.objects.count() == expected
            and Digest.objects.filter(digest_date=today).count() == recipients
            and not Digest.objects.filter(sent_at__isnull=True).exists())


# --- the tests -----------------------------------------------------------------------------------


def test_worker_killed_mid_chase_every_reminder_delivered_exactly_once(people, start_worker, beat, redis_server,
                                                                      mail_dir):
    today, plan, expected, recipients = planned_register(people)
    assert expected > 4000 and recipients > DEVELOPER_COUNT  # an inbox that takes a moment to write

    first = start_worker()
    chase_id = beat.send("chase_daily", today=today.isoformat())
    written = kill_when_part_written(first, expected, on_part_written=first.kill)
    print(f"\n  killed worker {first.pid} with {written} of {expected} reminders written, "
          f"{Notification.objects.count()} inbox items, {Digest.objects.count()} digests")
    assert written == expected and Notification.objects.count() == 0
    assert Digest.objects.count() == 0 and not list(mail_dir.iterdir())

    # The chase message is still with Redis as delivered-not-acknowledged; nothing is queued.
    delivered_at = redis_server.unacked_delivery_times()
    assert len(delivered_at) == 1, delivered_at
    # Start the replacement only once the message is older than the visibility timeout, so the worker's
    # start-up sweep (restore_visible) puts it back in the queue.
    time.sleep(max(0.0, delivered_at[0] + VISIBILITY_TIMEOUT + 0.5 - time.time()))

    second = start_worker()
    beat.send("send_pending_digests", older_than_seconds=0)
    wait_for(lambda: all_sent(today, expected, recipients),
             message=lambda: f"{Reminder.objects.count()}/{expected} reminders, "
                             f"{Digest.objects.filter(sent_at__isnull=True).count()} digests unsent\n" + second.tail())
    settle(redis_server, second)
    # The same task, redelivered to the new worker, finished the job.
    assert f"chase_daily[{chase_id}] received" in second.log(), second.tail()
    assert f"chase_daily[{chase_id}] succeeded" in second.log(), second.tail()

    figures = delivered_exactly_once(today=today, plan=plan, mail_dir=mail_dir)

    # Beat's next hourly run and recovery sweep change nothing.
    beat.send("chase_daily", today=today.isoformat())
    beat.send("send_pending_digests", older_than_seconds=0)
    settle(redis_server, second)
    assert delivered_exactly_once(today=today, plan=plan, mail_dir=mail_dir) == figures


def test_redis_restarted_mid_chase_lost_work_is_recovered_exactly_once(people, start_worker, beat, redis_server,
                                                                       mail_dir):
    today, plan, expected, recipients = planned_register(people)

    worker = start_worker()
    chase_id = beat.send("chase_daily", today=today.isoformat())
    written = kill_when_part_written(worker, expected, on_part_written=redis_server.stop)
    print(f"\n  stopped Redis with {written} of {expected} reminders written")
    assert not redis_server.is_up()

    # The chase carries on with the database; it fails only when it queues the digest e-mails.
    outcome = wait_for(
        lambda: next((word for word in ("succeeded", "raised") if f"chase_daily[{chase_id}] {word}" in worker.log()),
                     None),
        message=lambda: "the chase never finished\n" + worker.tail())
    print(f"  chase with Redis down: {outcome}; {Reminder.objects.count()} reminders, "
          f"{Digest.objects.count()} digests ({Digest.objects.filter(sent_at__isnull=True).count()} unsent)")
    assert Reminder.objects.count() == expected

    redis_server.start()  # same port, empty: the chase message and any digest sends are gone
    # The worker logs the broker URL with its password masked: redis://:**@127.0.0.1:<port>/0.
    wait_for(lambda: worker.log().count(f"Connected to redis://:**@127.0.0.1:{redis_server.port}/0") >= 2,
             timeout=DEADLINE,
             message=lambda: "the worker did not reconnect\n" + worker.tail())
    assert worker.alive()

    # As beat would, hourly: the chase again, and the sweep for digests whose send was lost.
    beat.send("chase_daily", today=today.isoformat())
    beat.send("send_pending_digests", older_than_seconds=0)
    wait_for(lambda: all_sent(today, expected, recipients),
             message=lambda: f"{Digest.objects.filter(sent_at__isnull=True).count()} digests unsent\n" + worker.tail())
    settle(redis_server, worker)
    assert worker.alive() and "Connection to broker lost" in worker.log()

    delivered_exactly_once(today=today, plan=plan, mail_dir=mail_dir)


def test_web_request_with_redis_down_succeeds_and_its_events_arrive_later(people, start_worker, beat, redis_server,
                                                                          monkeypatch):
    redis_server.stop()
    assert not redis_server.is_up()
    policy = people.policy()
    fill_scoping(policy, people)

    # Prove the request never reaches for the broker: this process's Celery app is pointed at the stopped
    # Redis, not eager, with no publish retries, so a task sent from the request would really fail; Celery's
    # own before_task_publish signal records any attempt.
    from celery.signals import before_task_publish

    from policyhub.celery import app as celery_app

    sent = []

    def record_publish(sender=None, **kwargs):
        sent.append(sender)

    for variable in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL"):  # Celery prefers these to its conf
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setitem(celery_app.conf, "broker_url", redis_server.url)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "task_publish_retry", False)
    # Drop the cached broker connections (as after a fork), so that the app connects to the URL above.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    before_task_publish.connect(record_publish, weak=False)
    try:
        client = Client()
        client.force_login(people.developer)
        response = client.post(f"/policies/{policy.reference}/actions/request-commissioning/",
                               what_was_read(policy))
    finally:
        before_task_publish.disconnect(record_publish)
        monkeypatch.undo()

    assert response.status_code == 302, response.content[:500]
    assert sent == []
    assert Policy.objects.get(pk=policy.pk).status == Status.COMMISSIONING
    event = OutboxEvent.objects.get(topic="policy.commissioning_requested", audit_event__policy_id=policy.pk)
    assert event.handled_at is None

    redis_server.start()
    worker = start_worker()
    beat.send("relay_outbox")
    wait_for(lambda: not OutboxEvent.objects.filter(handled_at__isnull=True).exists(),
             message=lambda: "the outbox was not relayed\n" + worker.tail())
    beat.send("relay_outbox")  # a second relay (beat, or a redelivery) adds nothing
    settle(redis_server, worker)

    to_lead = Notification.objects.filter(recipient=people.lead, source_event=event)
    assert to_lead.count() == 1
    assert to_lead.get().title == f"Commissioning requested: {policy.reference} {policy.title}"
    assert Notification.objects.filter(source_event=event).count() == 1  # the Lead only; never the actor
    print(f"\n  relayed {OutboxEvent.objects.count()} outbox events into "
          f"{Notification.objects.filter(source_event__isnull=False).count()} notifications")


def test_worker_killed_after_the_mail_server_took_a_digest_sends_it_again_with_the_same_message_id(
        people, start_worker, beat, redis_server, mail_dir, tmp_path):
    """The one window exactly-once cannot close: the message has left but the commit that records it has not
    happened. The digest is sent again, never lost, under the same Message-ID so the mail system can drop
    the copy (services.digest_send)."""
    today = timezone.localdate()
    build_register(people, today, count=20)
    plan = chase_plan(today=today)
    flag = tmp_path / "hang-flag"
    flag.touch()
    hanging_mail = {"EMAIL_BACKEND": f"{__name__}.HangAfterHandOver", "POLICYHUB_FAULTS_HANG_FLAG": str(flag)}

    first = start_worker(**hanging_mail)
    beat.send("chase_daily", today=today.isoformat())
    wait_for(lambda: flag.with_suffix(".hanging").exists(),
             message=lambda: "no digest reached the mail server\n" + first.tail())
    [handed_over] = sent_mail(mail_dir)
    digest_id = int(handed_over["message_id"].removeprefix("<digest-").removesuffix("@policyhub>"))
    assert Digest.objects.get(pk=digest_id).sent_at is None  # the database does not know it went
    first.kill()

    delivered_at = redis_server.unacked_delivery_times()
    assert len(delivered_at) == 1, delivered_at  # the send_digest task it was running
    time.sleep(max(0.0, delivered_at[0] + VISIBILITY_TIMEOUT + 0.5 - time.time()))
    second = start_worker(**hanging_mail)
    beat.send("send_pending_digests", older_than_seconds=0)
    wait_for(lambda: not Digest.objects.filter(sent_at__isnull=True).exists(),
             message=lambda: "digests unsent\n" + second.tail())
    settle(redis_server, second)

    digests = set(Digest.objects.filter(digest_date=today).values_list("pk", flat=True))
    assert len(digests) == len({item.recipient_id for item in plan})
    by_message_id = Counter(message["message_id"] for message in sent_mail(mail_dir))
    print(f"\n  {len(digests)} digests, {sum(by_message_id.values())} e-mails; twice: "
          f"{[message_id for message_id, count in by_message_id.items() if count > 1]}")
    assert by_message_id == {f"<digest-{pk}@policyhub>": 2 if pk == digest_id else 1 for pk in digests}


def test_items_arriving_while_a_digest_is_being_sent_wait_for_the_next_digest(people):
    """Two workers: one e-mailing a person's digest (the mail server is slow), the other preparing digests for
    an item that has just arrived for that person. The item must not be filed in the digest already on its
    way, and the person must not be locked out while it goes."""
    today = timezone.localdate()
    policy = people.policy()
    Notification.objects.create(recipient=people.lead, policy=policy, title="Commissioning requested")
    [digest_id] = services.digests_prepare(today=today)
    late = Notification.objects.create(recipient=people.lead, policy=policy, title="Waiting for your approval")

    def in_thread(call):
        outcome = {}

        def run():
            try:
                outcome["result"] = call()
            except Exception as error:  # reported by the assertions
                outcome["error"] = error
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread, outcome

    def log_in():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            return User.objects.filter(pk=people.lead.pk).update(last_login=timezone.now())

    PausedAfterHandOver.handed_over.clear()
    PausedAfterHandOver.release.clear()
    with override_settings(EMAIL_BACKEND=f"{__name__}.PausedAfterHandOver"):
        sender, sent = in_thread(lambda: services.digest_send(digest_id=digest_id))
        try:
            assert PausedAfterHandOver.handed_over.wait(10)
            login, logged_in = in_thread(log_in)
            login.join(10)
            preparer, prepared = in_thread(lambda: services.digests_prepare(today=today))
            preparer.join(1)
            waited = preparer.is_alive()
        finally:
            PausedAfterHandOver.release.set()
        sender.join(10)
        preparer.join(10)

    assert logged_in == {"result": 1}, logged_in  # the recipient's own row is not locked by the send
    assert waited, "digests_prepare did not wait for the digest being sent"
    assert sent == {"result": True} and prepared == {"result": []}, (sent, prepared)
    digest = Digest.objects.get(pk=digest_id)
    assert digest.sent_at is not None and digest.item_count == 1
    assert list(digest.items.values_list("title", flat=True)) == ["Commissioning requested"]
    assert [message.to for message in mail.outbox] == [[people.lead.email]]
    late.refresh_from_db()
    assert late.digest_id is None  # kept for tomorrow's digest (at most one e-mail a day)
    [tomorrows] = services.digests_prepare(today=today + datetime.timedelta(days=1))
    late.refresh_from_db()
    assert late.digest_id == tomorrows
