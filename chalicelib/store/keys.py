"""The key table: every partition and sort key of the one DynamoDB table, in one place.

    entity              PK                          SK                          GSI1PK              GSI1SK
    unit                UNITS                       UNIT#<unit_id>              -                   -
    token               TOKEN#<token_id>            TOKEN                       TOKENS              <token_id>
    report (current)    UNIT#<unit_id>              REPORT#<period>             PERIOD#<period>     UNIT#<unit_id>
    report revision     UNIT#<unit_id>              REVISION#<period>#<v:06d>   -                   -
    deadline exception  UNIT#<unit_id>              EXCEPTION#<period>          -                   -
    figure history      UNIT#<unit_id>              HISTORY#<period kind>       -                   -
    reminder sent       UNIT#<unit_id>              REMINDER#<period>#<kind>    -                   -
    return note unsent  RETURN_NOTES                <unit_id>#<period>#<at>     -                   -
    period settings     PERIODS                     PERIOD#<period>             -                   -
    conference          CONFERENCES                 CONFERENCE#<id>             CONFERENCE_DATES    <yyyy-mm-dd>#<id>
    compile request     COMPILE_REQUESTS            CONFERENCE#<id>             -                   -
    document version    CONFERENCE#<id>             DOC#<stream>#<v:06d>        -                   -
    stream head         CONFERENCE#<id>             STREAM#<stream>             SIGNING#<account>*  <at>#<conf>#<stream>
    document number     DOCNUMBER#<symbol>#<year>   N#<n:06d>                   -                   -
    document pointer    DOCUMENT#<doc_id>           DOCUMENT                    -                   -
    delivery            DOCUMENT#<doc_id>           DELIVERY#<email>            -                   -
    counter             COUNTER#<name>              COUNTER                     -                   -
    idempotency record  IDEMPOTENCY#<record key>    IDEMPOTENCY                 -                   -
    nomination          UNIT#<unit_id>              NOMINATION#<conf>#<id>      NOMINATIONS#<conf>  <id>
    nomination pointer  NOMINATION#<id>             NOMINATION                  -                   -
    nominee guard       NOMINEE#<conf>#<form>#<key> NOMINEE                     -                   -
    reviewer score      SCORES#<conf>               <nomination id>#<reviewer>  -                   -
    audit event         AUDIT#<entity>              <iso time>#<event id>       AUDIT#<yyyy-mm>     <iso time>#<event id>
    account             ACCOUNT#<account_id>        ACCOUNT                     ACCOUNTS            <unit_id or ->#<account_id>
    email guard         EMAIL#<lowercased email>    EMAIL                       -                   -
    session             ACCOUNT#<account_id>        SESSION#<session_id>        -                   -
    passkey             ACCOUNT#<account_id>        PASSKEY#<credential id>     -                   -
    webauthn challenge  CHALLENGE#<challenge>       CHALLENGE                   -                   -
    sign-in throttle    THROTTLE#<subject>          THROTTLE                    -                   -

Access patterns: a unit, all units (Query UNITS; projected to the fields a walk of the tree needs);
whether a unit lies below another (GetItem: the unit item's `path` attribute lists its ancestors,
root first); a token by id (GetItem, the id is
part of the bearer token); a unit's reports over a period range (Query BETWEEN;
period codes sort within one kind); every report of one period (Query GSI1; the completeness board projects it to the status fields); a
report's revisions (Query begins_with); what a submission needs (the unit, the
current report, the period's settings, the unit's exception and its figure history:
one BatchGetItem); conferences due soon (Query GSI1
CONFERENCE_DATES BETWEEN two dates); a conference's document versions, newest
first; a conference's document streams (Query begins_with STREAM#: each stream's stage,
its current draft, who it was submitted to, the issued document); the numbers taken in
one (symbol, year) series, the last one first (Query newest first, limit 1), and whether
one number is taken (GetItem: a number item is put with attribute_not_exists, so a number
is issued once); the documents awaiting one signer (Query GSI1 SIGNING#<account_id>: *the head
carries these index keys only while submitted to that account); a document by its public id (GetItem on the pointer, then the version); a
document's deliveries; an entity's audit trail, newest first; a unit's nominations
(Query begins_with), a conference's nominations (Query GSI1) and reviewer scores
(Query); a nomination by id (GetItem on the pointer, then the item). One person or
collective per conference and award form: the guard item, created with the
nomination in one transaction; the return notes not yet emailed (Query RETURN_NOTES: an
item lives only until its email is accepted); the portal's recent periods of a unit and its
sub-units, and an imported workbook's rows (reports, period settings, exceptions, figure
histories: BatchGetItem, 100 keys at a time). People: an account by id (GetItem), all
accounts or one unit's (Query GSI1 ACCOUNTS, begins_with "<unit_id>#"), an account by email
(GetItem on the email guard, created with the account in one transaction: one account per
email); a session bearer token names its account and session, both in the account's
partition: one BatchGetItem authenticates it (with whatever else the route reads); an
account's passkeys (Query begins_with PASSKEY#) and one by credential id (GetItem); a
WebAuthn challenge by its value (single use: a conditional Delete); a throttle counter
(atomic ADD within its window) per subject: `email:<sha256>` and `address:<ip>` for sign-in
failures, `reset:<sha256>` for reset emails. Sessions,
challenges and throttle counters carry `expires_at` (DynamoDB TTL). The register of commendations:
one partition, sorted by year (a year's entries: Query begins_with "<year>#"; a search reads the
partition, or one year of it, and filters by name key, unit and form in code: a register holds some
thousands of entries a year); a nominee's history (Query GSI1 REGISTER#<identity key>, oldest
first); a pending import (GetItem; `expires_at`, TTL). No Scan anywhere.
"""

from __future__ import annotations

Key = tuple[str, str]

KEY_ATTRS = ("PK", "SK", "GSI1PK", "GSI1SK", "expires_at")
GSI1 = "GSI1"


def unit(unit_id: str) -> Key:
    return "UNITS", f"UNIT#{unit_id}"


UNITS = "UNITS"
UNIT_PREFIX = "UNIT#"


def token(token_id: str) -> Key:
    return f"TOKEN#{token_id}", "TOKEN"


TOKENS_INDEX = "TOKENS"


def unit_partition(unit_id: str) -> str:
    return f"UNIT#{unit_id}"


def report(unit_id: str, period: str) -> Key:
    return unit_partition(unit_id), f"REPORT#{period}"


def report_index(unit_id: str, period: str) -> Key:
    """GSI1 keys of a current report: every report of a period in one Query."""
    return f"PERIOD#{period}", f"UNIT#{unit_id}"


def period_reports_index(period: str) -> str:
    return f"PERIOD#{period}"


def report_sort(period: str) -> str:
    return f"REPORT#{period}"


def revision(unit_id: str, period: str, version: int) -> Key:
    return unit_partition(unit_id), f"REVISION#{period}#{version:06d}"


def revision_prefix(period: str) -> str:
    return f"REVISION#{period}#"


def figure_history(unit_id: str, period_kind: str) -> Key:
    """A unit's recent figures of one period kind, one attribute per period (`history_attr`),
    kept up to date by every submission so the outlier rule needs no Query."""
    return unit_partition(unit_id), f"HISTORY#{period_kind}"


HISTORY_ATTR = "p:"


def history_attr(period: str) -> str:
    return HISTORY_ATTR + period


def exception(unit_id: str, period: str) -> Key:
    return unit_partition(unit_id), f"EXCEPTION#{period}"


def reminder(unit_id: str, period: str, kind: str) -> Key:
    return unit_partition(unit_id), f"REMINDER#{period}#{kind}"


RETURN_NOTES = "RETURN_NOTES"


def return_note(unit_id: str, period: str, reviewed_at: str) -> Key:
    """The note of one review that returned a report, while its email is not yet accepted."""
    return RETURN_NOTES, f"{unit_id}#{period}#{reviewed_at}"


def period_settings(period: str) -> Key:
    return "PERIODS", f"PERIOD#{period}"


CONFERENCES = "CONFERENCES"
CONFERENCE_PREFIX = "CONFERENCE#"
CONFERENCE_DATES = "CONFERENCE_DATES"


def conference(conference_id: str) -> Key:
    return CONFERENCES, f"CONFERENCE#{conference_id}"


def conference_index(date: str, conference_id: str) -> Key:
    return CONFERENCE_DATES, f"{date}#{conference_id}"


COMPILE_REQUESTS = "COMPILE_REQUESTS"


def compile_request(conference_id: str) -> Key:
    return COMPILE_REQUESTS, f"CONFERENCE#{conference_id}"


def conference_partition(conference_id: str) -> str:
    return f"CONFERENCE#{conference_id}"


def document_version(conference_id: str, kind: str, version: int) -> Key:
    return conference_partition(conference_id), f"DOC#{kind}#{version:06d}"


def document_kind_prefix(kind: str) -> str:
    return f"DOC#{kind}#"


DOCUMENT_PREFIX = "DOC#"
STREAM_PREFIX = "STREAM#"


def stream_head(conference_id: str, stream: str) -> Key:
    """A document stream's head: its lifecycle stage and what it points at (stored kind = stream)."""
    return conference_partition(conference_id), f"{STREAM_PREFIX}{stream}"


def number_series(symbol: str, year: int) -> str:
    return f"DOCNUMBER#{symbol}#{year}"


def document_number(symbol: str, year: int, n: int) -> Key:
    """One number of a (symbol, year) series: exists once the number is issued (or the old counter's)."""
    return number_series(symbol, year), f"N#{n:06d}"


NUMBER_PREFIX = "N#"


def signing_request_index(account_id: str, at: str, conference_id: str, stream: str) -> Key:
    """GSI1 keys of a stream head while it awaits its signer: what one signer has to sign, in one Query."""
    return signing_requests(account_id), f"{at}#{conference_id}#{stream}"


def signing_requests(account_id: str) -> str:
    return f"SIGNING#{account_id}"


def document_pointer(document_id: str) -> Key:
    return f"DOCUMENT#{document_id}", "DOCUMENT"


def delivery(document_id: str, email: str) -> Key:
    return f"DOCUMENT#{document_id}", f"DELIVERY#{email}"


def deliveries_of(document_id: str) -> tuple[str, str]:
    return f"DOCUMENT#{document_id}", "DELIVERY#"


def counter(name: str) -> Key:
    return f"COUNTER#{name}", "COUNTER"


def idempotency(record_key: str) -> Key:
    return f"IDEMPOTENCY#{record_key}", "IDEMPOTENCY"


def audit(entity: str, at: str, event_id: str) -> Key:
    return f"AUDIT#{entity}", f"{at}#{event_id}"


def audit_partition(entity: str) -> str:
    return f"AUDIT#{entity}"


def audit_index(at: str, event_id: str) -> Key:
    """GSI1 keys of an audit event: a month's events across entities."""
    return f"AUDIT#{at[:7]}", f"{at}#{event_id}"


def nomination(unit_id: str, conference_id: str, nomination_id: str) -> Key:
    return unit_partition(unit_id), f"NOMINATION#{conference_id}#{nomination_id}"


def nomination_prefix(conference_id: str | None = None) -> str:
    return f"NOMINATION#{conference_id}#" if conference_id else "NOMINATION#"


def nomination_index(conference_id: str, nomination_id: str) -> Key:
    """GSI1 keys of a nomination: a conference's nominations in one Query."""
    return f"NOMINATIONS#{conference_id}", nomination_id


def conference_nominations(conference_id: str) -> str:
    return f"NOMINATIONS#{conference_id}"


def nomination_pointer(nomination_id: str) -> Key:
    return f"NOMINATION#{nomination_id}", "NOMINATION"


def nominee_guard(conference_id: str, award_form: str, nominee_key: str) -> Key:
    return f"NOMINEE#{conference_id}#{award_form}#{nominee_key}", "NOMINEE"


def scores_partition(conference_id: str) -> str:
    return f"SCORES#{conference_id}"


def score(conference_id: str, nomination_id: str, reviewer: str) -> Key:
    return scores_partition(conference_id), f"{nomination_id}#{reviewer}"


ACCOUNTS = "ACCOUNTS"
NO_UNIT = "-"  # GSI1SK of an account bound to no unit (unit ids start with a letter or digit)


NO_ACCOUNT = "0" * 16  # an id no account has: what an unknown email's sign-in reads instead of one


def account_partition(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


def account(account_id: str) -> Key:
    return account_partition(account_id), "ACCOUNT"


def account_index(unit_id: str | None, account_id: str) -> Key:
    """GSI1 keys of an account: every account, or one unit's (begins_with `account_unit_prefix`)."""
    return ACCOUNTS, f"{unit_id or NO_UNIT}#{account_id}"


def account_unit_prefix(unit_id: str) -> str:
    return f"{unit_id}#"


def email_guard(email: str) -> Key:
    return f"EMAIL#{email}", "EMAIL"


def session(account_id: str, session_id: str) -> Key:
    return account_partition(account_id), f"SESSION#{session_id}"


PASSKEY_PREFIX = "PASSKEY#"


def passkey(account_id: str, credential_id: str) -> Key:
    return account_partition(account_id), f"{PASSKEY_PREFIX}{credential_id}"


def challenge(value: str) -> Key:
    return f"CHALLENGE#{value}", "CHALLENGE"


def throttle(subject: str) -> Key:
    return f"THROTTLE#{subject}", "THROTTLE"


REGISTER = "REGISTER"


def register_entry(year: int | str, entry_id: str) -> Key:
    return REGISTER, f"{year}#{entry_id}"


def register_year_prefix(year: int | str) -> str:
    return f"{year}#"


def register_identity(identity_key: str) -> str:
    return f"REGISTER#{identity_key}"


def register_identity_index(identity_key: str, decision_date: str, entry_id: str) -> Key:
    """GSI1 keys of a register entry: one nominee's entries, oldest first, in one Query."""
    return register_identity(identity_key), f"{decision_date}#{entry_id}"


def register_import(import_id: str) -> Key:
    return f"REGISTER_IMPORT#{import_id}", "IMPORT"


# -- figures of a period, for sums over a conference's window (issue 20) -------------------
#    period figures      UNIT#<unit_id>              FIGURES#<period>            FIGCHANGE#<period>  <at>#<unit_id>
#    figures pack        FIGPACK#<period>            <chunk:03d>                 -                   -
#    window sums pack    FIGWINDOW#<digest>          <chunk:03d>                 -                   -
# A report's figures and status, written in its submission's (and review's) own transaction; the
# index orders a period's changes by time. A pack is every unit's figures of a period packed in a
# few items (built once from the reports, then kept as of a time): a period's sums are one Query
# of its pack plus one Query of the changes since (GSI1 BETWEEN <as of> and the end).

def period_figures(unit_id: str, period: str) -> Key:
    return unit_partition(unit_id), f"FIGURES#{period}"


def figures_change_index(period: str, at: str, unit_id: str) -> Key:
    return figures_changes(period), f"{at}#{unit_id}"


def figures_changes(period: str) -> str:
    return f"FIGCHANGE#{period}"


FIGURES_CHANGES_END = "~"  # sorts after every ISO time


def figures_pack_partition(period: str) -> str:
    return f"FIGPACK#{period}"


def figures_pack(period: str, chunk: int) -> Key:
    return figures_pack_partition(period), figures_pack_sort(chunk)


def figures_pack_sort(chunk: int) -> str:
    return f"{chunk:03d}"


def figures_window_partition(name: str) -> str:
    """The sums of a window of periods (`name`: a digest of its periods and indicators), packed like a period."""
    return f"FIGWINDOW#{name}"


def score_prefix(nomination_id: str) -> str:
    """The sort keys of one nomination's reviewer scores in its conference's SCORES partition."""
    return f"{nomination_id}#"


def report_status(unit_id: str, period: str) -> Key:
    """A current report's status fields alone (no figures, no achievements), kept by every submission
    and review in its own transaction: the completeness board Queries these small items, so its
    1 MB pages hold thousands of units instead of the few hundred whole reports that fit."""
    return period_statuses(period), f"UNIT#{unit_id}"


def period_statuses(period: str) -> str:
    return f"STATUS#{period}"


# Set once every report has its status item (a new table; or after `cli backfill`): until then the
# board reads the period's reports themselves (projected), as before status items.
REPORT_STATUSES_READY = ("MIGRATION#report-statuses", "MIGRATION")


# The unit tree's version and its pack: every unit create, edit, move and ancestor-path rewrite puts a
# new version (in the change's own transaction), and the pack is the tree, projected, as of one version.
UNITS_TREE = "UNITS_TREE"


def units_tree_version() -> Key:
    return UNITS_TREE, "VERSION"


def units_tree_pack(chunk: int) -> Key:
    return UNITS_TREE, f"PACK#{chunk:03d}"


def register_summary(identity_key: str) -> Key:
    """One nominee's register entries in one item (an attribute `e#<entry id>` each), kept by every
    register write in its own transaction: a page of nominations reads its nominees' histories in one
    BatchGetItem instead of one Query each."""
    return f"REGSUM#{identity_key}", "SUMMARY"


# Set once every register entry is in its nominee's summary (a new table; or after `cli backfill`):
# until then the histories are Queried per nominee, as before the summaries.
REGISTER_SUMMARIES_READY = ("MIGRATION#register-summaries", "MIGRATION")


# What ranking reads of a conference's nominations (a few attributes each), packed as of a version
# that every nomination write of the conference puts in its own transaction.
def nomination_ranks_partition(conference_id: str) -> str:
    return f"NOMRANKS#{conference_id}"


def nomination_ranks_version(conference_id: str) -> Key:
    return nomination_ranks_partition(conference_id), "VERSION"


def nomination_ranks_pack(conference_id: str, chunk: int) -> Key:
    return nomination_ranks_partition(conference_id), f"PACK#{chunk:03d}"
# Set once every current report has its period figures item (a new table; or after `cli backfill`):
# until then a period's pack is made from its reports (projected), as before figures items existed.
PERIOD_FIGURES_READY = ("MIGRATION#period-figures", "MIGRATION")
