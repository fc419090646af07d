"""One repository per aggregate: the only way the domain reaches stored data.

Records are plain dicts (the domain's own shapes); statuses inside them are the
string enums of `chalicelib.core.states`. Every method that changes an aggregate
whose writes depend on a read takes the ETag that read saw (`expected_etag`) and
raises `ConditionFailed` when the stored one differs. Methods that record an
audit event take it as `audit` and write it in the same transaction as the change,
so neither exists without the other.

Implemented once (`repositories.py`) over the `Table` primitives; `DynamoTable` and
`MemoryTable` back them. `tests/integration/test_store_contract.py` runs the same
suite on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from chalicelib.store.table import Page

Record = dict[str, Any]
MAX_PAGE = 100


class UnitRepository(Protocol):
    def create(self, unit: Record, audit: Record | None = None) -> None:
        """Raises AlreadyExists."""

    def get(self, unit_id: str) -> Record | None: ...

    def replace(self, unit: Record, expected_etag: str, audit: Record | None = None) -> None:
        """Raises ConditionFailed when the stored unit's etag is not `expected_etag`."""

    def list(self, limit: int = MAX_PAGE, cursor: str | None = None) -> Page: ...

    def all(self) -> list[Record]: ...

    def tree(self) -> list[Record]:
        """Every unit, projected to what a walk of the tree needs; kept between requests while no unit changed."""


class TokenRepository(Protocol):
    def create(self, token: Record, audit: Record | None = None) -> None: ...

    def get(self, token_id: str) -> Record | None:
        """Strongly consistent: a revoked token stops working at once."""

    def revoke(self, token_id: str, revoked_at: str, audit: Record | None = None) -> bool:
        """False when there is no such token."""

    def list(self, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        """Every token record (hashes included: callers must not show them)."""


@dataclass(frozen=True)
class SubmissionReads:
    """Everything a report submission reads, fetched in one round trip."""
    unit: Record | None
    report: Record | None                 # the current version, if any
    period_settings: Record | None        # an admin-set deadline
    exception: Record | None              # the unit's deadline exception for this period
    history: dict[str, dict[str, int]]    # period code -> values, every period the history item holds
    token: Record | None = None           # the caller's token, when read in the same batch
    credentials: dict[str, Record | None] | None = None  # what authenticating the caller's bearer reads


@dataclass(frozen=True)
class ManyReads:
    """Reports, period settings, deadline exceptions and figure histories of many units and
    periods, read by BatchGets (`ReportRepository.read_many`); None where nothing is stored."""
    reports: dict[tuple[str, str], Record | None]          # (unit, period) -> current report
    settings: dict[str, Record | None]                     # period -> an admin's settings
    exceptions: dict[tuple[str, str], Record | None]       # (unit, period) -> exception
    histories: dict[str, dict[str, dict[str, int]]]         # unit -> period code -> values


@dataclass(frozen=True)
class Receipt:
    """The answer to an idempotent request, stored in the same transaction as its effect:
    a retry whose first answer was lost is then always a replay.

    `claimed_until`: the `in_progress_until` of the request's own claim. The transaction then
    commits only while that claim still holds the key (ClaimLost otherwise), so a request that
    outlived its claim never adds a second effect after a retry took the key.
    """
    record_key: str
    response: Record
    now: int
    ttl_seconds: int
    claimed_until: int | None = None


class ReportRepository(Protocol):
    def get(self, unit_id: str, period: str) -> Record | None: ...

    def for_submission(self, unit_id: str, period: str, period_kind: str,
                       token_id: str | None = None) -> SubmissionReads:
        """The unit, the current report, the period's settings, the exception and the figure
        history (and the caller's token, when `token_id` is given), in one round trip."""

    def read_many(self, reports: Sequence[tuple[str, str]] = (), settings: Sequence[str] = (),
                  exceptions: Sequence[tuple[str, str]] = (), histories: Sequence[str] = (),
                  period_kind: str = "month") -> ManyReads:
        """Current reports and exceptions by (unit, period), period settings by period, and the
        figure histories (of `period_kind`) of units, in BatchGets of 100 keys."""

    def save(self, report: Record, expected_etag: str | None, audit: Record | None = None,
             history: Sequence[str] = ()) -> None:
        """Write the current report, its revision (report["version"]) and the unit's figure
        history atomically (with the audit event, if given; in a unit of work, with whatever
        else the use case staged, such as the idempotent answer).

        `expected_etag=None` creates (fails when any version exists); otherwise the
        stored current report's etag must equal it. `history`: the periods the history
        item holds now (from `for_submission`), so the oldest can be dropped. Raises
        ConditionFailed.
        """

    def update_state(self, unit_id: str, period: str, expected_etag: str, fields: Record,
                     audit: Record | None = None, figures: tuple[str, Record] | None = None) -> None:
        """SET fields (a review: status, review, and the new etag) on the current report,
        conditioned on its etag. `figures` (changed at, values): the period figures item follows the
        new status in the same transaction. Raises ConditionFailed."""

    def revisions(self, unit_id: str, period: str, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        """Oldest first."""

    def for_unit(self, unit_id: str, first: str, last: str, limit: int = MAX_PAGE, cursor: str | None = None,
                 newest_first: bool = False) -> Page:
        """Current reports with first <= period <= last (period codes sort within a kind)."""

    def for_period(self, period: str) -> list[Record]:
        """Every unit's current report of one period."""

    def statuses_for_period(self, period: str) -> list[Record]:
        """Every current report of a period, only its status fields (never figures or achievements)."""

    def mark_statuses_ready(self) -> None:
        """Every current report has its status item: the board may read those alone."""

    def backfill_statuses(self, period: str) -> int:
        """Write the missing status items of a period's reports; how many."""

    def get_exception(self, unit_id: str, period: str) -> Record | None: ...

    def put_exception(self, exception: Record, audit: Record | None = None) -> None:
        """exception holds unit_id and period; replaces an earlier one."""


class PeriodRepository(Protocol):
    def get(self, period: str) -> Record | None:
        """An admin's settings for a period (its deadline), or None."""

    def put(self, settings: Record, audit: Record | None = None) -> None:
        """settings holds period; replaces earlier settings."""


class ReminderRepository(Protocol):
    def claim(self, unit_id: str, period: str, kind: str, at: str) -> bool:
        """True for exactly one caller per (unit, period, kind); a `failed` one may be claimed again."""

    def mark(self, unit_id: str, period: str, kind: str, state: str, detail: str = "") -> None: ...

    def get(self, unit_id: str, period: str, kind: str) -> Record | None: ...


class ConferenceRepository(Protocol):
    def create(self, conference: Record, audit: Record | None = None) -> None:
        """Raises AlreadyExists."""

    def get(self, conference_id: str) -> Record | None: ...

    def replace(self, conference: Record, expected_etag: str, audit: Record | None = None) -> None:
        """Raises ConditionFailed."""

    def list(self, limit: int = MAX_PAGE, cursor: str | None = None) -> Page: ...

    def between(self, first_day: str, last_day: str) -> list[Record]:
        """Conferences whose date (YYYY-MM-DD) lies in [first_day, last_day], by date."""

    def request_compile(self, conference_id: str, requested_at: str) -> None: ...

    def compile_requests(self) -> list[Record]:
        """Pending requests: {conference_id, requested_at}."""

    def clear_compile_request(self, conference_id: str, requested_at: str) -> None:
        """Remove the request unless a newer one (another requested_at) arrived meanwhile."""


class DocumentRepository(Protocol):
    def latest(self, conference_id: str, kind: str) -> Record | None:
        """The newest version of one kind of document of a conference (strongly consistent)."""

    def get_version(self, conference_id: str, kind: str, version: int) -> Record | None: ...

    def list(self, conference_id: str, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        """Every version of every kind, by kind then version."""

    def claim_version(self, record: Record) -> None:
        """Create version N (record: conference_id, kind, version, document_id, claim, ...)
        and its public pointer (document_id), or neither.

        Raises AlreadyExists("version") when version N exists, AlreadyExists("id")
        when the document id is taken.
        """

    def update_version(self, conference_id: str, kind: str, version: int, fields: Record, claim: str) -> None:
        """SET fields while `claim` still owns the version. Raises ConditionFailed."""

    def take_over(self, conference_id: str, kind: str, version: int, old_claim: str, new_claim: str,
                  claimed_at: str) -> None:
        """Move a stale rendering claim to a new owner, only while the version is still
        being rendered by `old_claim`. Raises ConditionFailed."""

    def store_version(self, conference_id: str, kind: str, version: int, fields: Record, claim: str,
                      number: tuple[str, int, str] | None = None) -> None:
        """SET fields (state "stored", ...) while `claim` still renders the version. With
        `number` = (series, sequence, text), take that number in the same transaction: only
        if it is the series' next one (the last taken is sequence - 1), so a number is
        issued with a stored version or not at all, never twice, never skipping one.
        Raises AlreadyExists("number") when the series moved on meanwhile (nothing is
        written), ConditionFailed when the claim was lost (taken over or abandoned)."""

    def abandon_older(self, conference_id: str, kind: str, version: int, at: str) -> list[int]:
        """Mark every version of `kind` older than `version` that is still rendering as
        "abandoned" (superseded_by `version`), so its render can no longer be stored.
        Returns the versions it marked."""

    def last_number(self, series: str) -> int:
        """The last number taken in a series (0 before the first), strongly consistent."""

    def stream(self, conference_id: str, stream: str) -> Record | None:
        """A document stream's head: stage, draft_version, draft_document_id, submitted_to, number_requested,
        replaces, return_note, approved_at, issued_document_id."""

    def streams(self, conference_id: str) -> list[Record]: ...

    def put_draft(self, conference_id: str, stream: str, fields: Record) -> bool:
        """Point the head at its newest draft while the stream is in draft (or new); False otherwise."""

    def move_stream(self, conference_id: str, stream: str, stage: str, fields: Record, *,
                    condition: Any = None, documents: Sequence[tuple[Record, Record]] = (),
                    audit: Record | None = None) -> None:
        """A lifecycle step conditioned on the head's stage (guards "stage"), with the document versions'
        changes and the audit event, in one transaction."""

    def number_taken(self, symbol: str, year: int, n: int) -> bool: ...

    def last_issued(self, symbol: str, year: int) -> int:
        """The highest number issued in a (symbol, year) series, 0 before the first."""

    def issue(self, record: Record, fields: Record, claim: str, *, number: tuple[str, int, int],
              head: Record, replaced: tuple[Record, Record] | None = None, audit: Record | None = None) -> None:
        """Store and issue a final version with its number item, head and replaced document in one
        transaction. AlreadyExists("number") when the number is taken; ConditionFailed otherwise."""


    def get(self, document_id: str) -> Record | None:
        """The version record behind a public document id."""

    def claim_delivery(self, record: Record) -> Record | None:
        """Claim (record["document_id"], record["email"]) for sending.
        None when this call claimed it; else the record already there."""

    def update_delivery(self, document_id: str, email: str, fields: Record, claim: str,
                        new_claim: str | None = None) -> None:
        """SET fields (and hand the claim over) while `claim` owns the delivery. Raises ConditionFailed."""

    def deliveries(self, document_id: str) -> list[Record]: ...


class IdempotencyRepository(Protocol):
    def claim(self, record_key: str, fingerprint: str, now: int, in_progress_seconds: int,
              ttl_seconds: int) -> Record | None:
        """Claim a key for one request at `now` (epoch seconds).

        None when this call claimed it: no record, an expired one (past `expires_at`),
        or one left `in_progress` past its `in_progress_until` (its request died).
        Otherwise the live record: {fingerprint, state, response?}.
        """

    def get(self, record_key: str) -> Record | None:
        """The key's record as it stands: {fingerprint, state, in_progress_until, response?}."""

    def answer(self, receipt: Receipt) -> None:
        """Stage the answer with the request's change (its transaction), as `complete` would store it."""

    def complete(self, record_key: str, response: Record, now: int, ttl_seconds: int,
                 claimed_until: int | None = None) -> None:
        """Store the answer while the key is in progress (and, given `claimed_until`, still this
        request's claim); a stored answer or a later claim is left alone."""

    def release(self, record_key: str, claimed_until: int | None = None) -> None:
        """Delete the key's claim, on the same conditions as `complete`, so a retry runs afresh."""


class AuditRepository(Protocol):
    def append(self, event: Record) -> None: ...

    def list(self, entity: str, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        """An entity's events, newest first."""


class NominationRepository(Protocol):
    def create(self, nomination: Record, audit: Record | None = None) -> None:
        """Create a nomination (record: id, conference_id, unit_id, award_form, nominee_key, ...),
        its id pointer and the guard that keeps one nominee_key per conference and award form,
        while the conference exists unfinalised. Raises AlreadyExists("nominee") when the guard
        is taken, AlreadyExists("id") when the id is, ConditionFailed when the conference is finalised."""

    def get(self, nomination_id: str) -> Record | None: ...

    def replace(self, nomination: Record, previous: Record, audit: Record | None = None) -> None:
        """Replace `previous` by `nomination`, conditioned on previous["etag"], moving the guard
        when the nominee_key or award form changed, while the conference is unfinalised. Raises
        AlreadyExists("nominee") when the new guard is taken, ConditionFailed otherwise."""

    def decide(self, changes: list[tuple[Record, str]], conference_id: str, audits: list[Record]) -> None:
        """Write each (nomination, expected_etag) and the audit events in ONE transaction, while
        the conference is unfinalised: all or nothing. Raises ConditionFailed(index): index <
        len(changes) names the stale nomination; len(changes) means the conference is finalised."""

    def for_unit(self, unit_id: str, conference_id: str | None = None, limit: int = MAX_PAGE,
                 cursor: str | None = None) -> Page: ...

    def for_conference(self, conference_id: str) -> list[Record]: ...

    def for_ranking(self, conference_id: str, attrs: Sequence[str]) -> list[Record]:
        """`for_conference` projected to `attrs`, kept between reads while no nomination of it changed."""

    def put_score(self, score: Record, audit: Record | None = None) -> None:
        """score: conference_id, nomination_id, reviewer, scores{criterion: n}; replaces the reviewer's earlier one."""

    def scores(self, conference_id: str) -> list[Record]: ...


class AccountRepository(Protocol):
    """People: accounts (one per email), their sessions and passkeys, WebAuthn challenges and the
    sign-in throttle counters (see `repositories.Accounts`)."""

    def create(self, account: Record, audit: Record | None = None) -> None:
        """Raises AlreadyExists("email") when the email belongs to another account."""

    def get(self, account_id: str) -> Record | None: ...

    def by_email(self, email: str, also: Sequence[Any] = (), even: bool = False
                 ) -> tuple[Record | None, dict[Any, Record | None]]: ...

    def update(self, account_id: str, fields: Record, condition: Any = None, guards: str = "account",
               audit: Record | None = None) -> None: ...

    def list(self, unit_id: str | None = None, limit: int = MAX_PAGE, cursor: str | None = None) -> Page: ...

    def credentials(self, bearer: Any) -> dict[str, Record | None]: ...

    def create_session(self, session: Record, audit: Record | None = None) -> None: ...

    def touch_session(self, account_id: str, session_id: str, last_seen: str, expires_at: int) -> None: ...

    def end_session(self, account_id: str, session_id: str, audit: Record | None = None) -> None: ...

    def audit_now(self, event: Record) -> None: ...

    def add_passkey(self, passkey: Record, audit: Record | None = None) -> None: ...

    def passkey(self, account_id: str, credential_id: str) -> Record | None: ...

    def passkeys(self, account_id: str) -> list[Record]: ...

    def remove_passkey(self, account_id: str, credential_id: str, condition: Any = None,
                       audit: Record | None = None) -> None: ...

    def passkey_used(self, account_id: str, credential_id: str, sign_count: int, at: str) -> None: ...

    def put_challenge(self, value: str, record: Record, expires_at: int) -> None: ...

    def take_challenge(self, value: str) -> Record | None: ...

    def throttle_keys(self, subjects: Sequence[str]) -> list[Any]: ...

    def count_failure(self, subject: str, seen: Record | None, now: int, window: int) -> Record: ...

    def clear_failures(self, subject: str) -> None: ...

    def claim_lock_notice(self, subject: str, window_until: int) -> bool: ...
