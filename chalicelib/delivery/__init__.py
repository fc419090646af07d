"""Delivery: artifact storage (local folder / S3) and mail (outbox / SMTP / SES).

Light on purpose: API Lambdas import it, so boto3 and smtplib load only when used.
"""

from chalicelib.delivery.artifacts import (
    ArtifactNotFound,
    ArtifactStore,
    InvalidArtifactKey,
    LocalFolderArtifacts,
    S3Artifacts,
    StoredArtifact,
    artifacts_for,
    artifacts_from_env,
)
from chalicelib.delivery.mail import (
    DEFAULT_MESSAGE_LIMIT,
    SES_LIMIT,
    Attachment,
    DownloadLink,
    Mailer,
    MessageTooLarge,
    OutboxMailer,
    SesMailer,
    SmtpMailer,
    build_fitted_message,
    build_message,
    default_sender,
    fit_attachments,
    mailer_for,
    mailer_from_env,
    make_message_id,
    message_bytes,
    with_download_links,
)

__all__ = [
    "ArtifactNotFound", "ArtifactStore", "InvalidArtifactKey", "LocalFolderArtifacts",
    "S3Artifacts", "StoredArtifact", "artifacts_for", "artifacts_from_env",
    "DEFAULT_MESSAGE_LIMIT", "SES_LIMIT", "Attachment", "DownloadLink", "Mailer",
    "MessageTooLarge", "OutboxMailer", "SesMailer", "SmtpMailer", "build_fitted_message",
    "build_message", "default_sender", "fit_attachments", "mailer_from_env",
    "mailer_for", "make_message_id", "message_bytes", "with_download_links",
]
