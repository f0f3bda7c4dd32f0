"""Settings: read from the environment once, validated at cold start, passed down."""

import os
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BACKENDS = ("sqlite", "dynamodb")
SMS_PROVIDERS = ("log", "sns")


@dataclass(frozen=True)
class Settings:
    backend: str = "sqlite"
    db_path: str = "var/citydesk.sqlite3"
    table_prefix: str = "citydesk-dev-"
    region: str = "eu-central-1"
    dynamodb_endpoint: str | None = None  # a moto server in local AWS mode
    data_dir: str = str(HERE / "data")
    sms: str = "log"
    sms_log: str = "var/sms.log"
    sms_sender_id: str = "citydesk"
    secret: str = ""
    local: bool = True  # cookies without `Secure` on plain-HTTP 127.0.0.1
    code_ttl_minutes: int = 10
    session_days: int = 30
    codes_per_phone_per_hour: int = 3
    codes_per_client_per_hour: int = 20
    wrong_tries_per_code: int = 5

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise ValueError(f"CITYDESK_BACKEND must be one of {BACKENDS}")
        if self.sms not in SMS_PROVIDERS:
            raise ValueError(f"CITYDESK_SMS must be one of {SMS_PROVIDERS}")
        if not self.secret:
            raise ValueError("CITYDESK_SECRET is required (it keys the hashes of codes and sessions)")

    @classmethod
    def from_env(cls, env=None) -> "Settings":
        env = os.environ if env is None else env
        def num(name, default):
            return int(env.get(name, default))
        return cls(
            backend=env.get("CITYDESK_BACKEND", "sqlite"),
            db_path=env.get("CITYDESK_DB_PATH", cls.db_path),
            table_prefix=env.get("CITYDESK_TABLE_PREFIX", cls.table_prefix),
            region=env.get("AWS_DEFAULT_REGION", env.get("AWS_REGION", cls.region)),
            dynamodb_endpoint=env.get("CITYDESK_DYNAMODB_ENDPOINT") or None,
            data_dir=env.get("CITYDESK_DATA_DIR", cls.data_dir),
            sms=env.get("CITYDESK_SMS", "log"),
            sms_log=env.get("CITYDESK_SMS_LOG", cls.sms_log),
            sms_sender_id=env.get("CITYDESK_SMS_SENDER_ID", cls.sms_sender_id),
            secret=env.get("CITYDESK_SECRET", ""),
            local=env.get("CITYDESK_LOCAL", "0") == "1",
            code_ttl_minutes=num("CITYDESK_CODE_TTL_MINUTES", cls.code_ttl_minutes),
            session_days=num("CITYDESK_SESSION_DAYS", cls.session_days),
            codes_per_phone_per_hour=num("CITYDESK_CODES_PER_PHONE_PER_HOUR", cls.codes_per_phone_per_hour),
            codes_per_client_per_hour=num("CITYDESK_CODES_PER_CLIENT_PER_HOUR", cls.codes_per_client_per_hour),
            wrong_tries_per_code=num("CITYDESK_WRONG_TRIES_PER_CODE", cls.wrong_tries_per_code),
        )
