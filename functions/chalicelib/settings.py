"""Settings: read from the environment once, validated at cold start, passed down."""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import secrets_env

HERE = Path(__file__).resolve().parent
BACKENDS = ("sqlite", "dynamodb")
SMS_PROVIDERS = ("log", "sns", "http")
EMAIL_PROVIDERS = ("log", "ses")
PHOTO_STORES = ("local", "s3")
SITE_STORES = ("local", "s3")
# A provider's name is part of an identity's kind ("oidc:<name>") and of its URLs.
PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,30}")
# A placeholder of the HTTP SMS gateway's templates. Only `{word}` counts, so the
# braces of a JSON body template are left alone.
PLACEHOLDER = re.compile(r"\{(\w+)\}")
HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")


@dataclass(frozen=True)
class OidcProvider:
    """An OpenID Connect (or OAuth 2 with a userinfo endpoint, like Facebook's) sign-in
    the city configures. Endpoints left out are read from the issuer's discovery document."""

    name: str
    label: str  # the button's text: the provider's own name, the same in every language
    client_id: str
    client_secret: str
    issuer: str = ""
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    jwks_uri: str = ""
    userinfo_endpoint: str = ""
    scope: str = "openid email"

    @classmethod
    def from_config(cls, config: dict, env) -> "OidcProvider":
        """One entry of CITYDESK_OIDC_PROVIDERS; its secret is read from the variable
        `client_secret_env` names, so the JSON itself holds no secret."""
        name = config.get("name", "")
        if not PROVIDER_NAME.fullmatch(name):
            raise ValueError(f"CITYDESK_OIDC_PROVIDERS: a provider's name must match {PROVIDER_NAME.pattern}")
        secret = env.get(config.get("client_secret_env", ""), "")
        if not (config.get("client_id") and secret):
            raise ValueError(f"CITYDESK_OIDC_PROVIDERS: {name} needs client_id and a set client_secret_env")
        if not (config.get("issuer") or config.get("authorization_endpoint") and config.get("token_endpoint")):
            raise ValueError(f"CITYDESK_OIDC_PROVIDERS: {name} needs an issuer or its endpoints")
        fields = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint", "scope")
        return cls(name=name, label=config.get("label") or name, client_id=config["client_id"], client_secret=secret,
                   **{field: config[field] for field in fields if config.get(field)})


@dataclass(frozen=True)
class SmsGateway:
    """A generic HTTP SMS gateway, the kind local SMS providers offer: one request per
    SMS, built from templates. The body (a GET's query string) may use {to}, {text},
    {sender} and {secret}; the URL and the header values only {secret}: the value of
    the variable CITYDESK_SMS_HTTP_SECRET_ENV names, so the configuration holds no secret."""

    url: str
    body: str
    method: str = "POST"
    headers: tuple = ()  # (name, value template) pairs
    secret: str = field(default="", repr=False)
    id_field: str = ""  # where the message id is in a JSON answer: "id", "messages.0.id"
    timeout: float = 5.0  # seconds; a request that queued an SMS waits this long at most

    @property
    def content_type(self) -> str:
        given = next((value for name, value in self.headers if name.lower() == "content-type"), "")
        return given or "application/x-www-form-urlencoded"

    @property
    def json_body(self) -> bool:
        media = self.content_type.split(";")[0].strip().lower()
        return media == "application/json" or media.endswith("+json")

    @classmethod
    def from_env(cls, env) -> "SmsGateway":
        try:
            headers = json.loads(env.get("CITYDESK_SMS_HTTP_HEADERS") or "{}")
        except json.JSONDecodeError:
            headers = None
        if not isinstance(headers, dict) or not all(
                HEADER_NAME.fullmatch(name) and isinstance(value, str) and not {"\r", "\n"} & set(value)
                for name, value in headers.items()):
            raise ValueError("CITYDESK_SMS_HTTP_HEADERS must be a JSON object of header names to text values")
        secret_env = env.get("CITYDESK_SMS_HTTP_SECRET_ENV", "")
        if secret_env and not env.get(secret_env):
            raise ValueError(f"CITYDESK_SMS_HTTP_SECRET_ENV names {secret_env}, which is not set")
        return cls(url=env.get("CITYDESK_SMS_HTTP_URL", ""), body=env.get("CITYDESK_SMS_HTTP_BODY", ""),
                   method=env.get("CITYDESK_SMS_HTTP_METHOD", "POST").upper(), headers=tuple(headers.items()),
                   secret=env.get(secret_env, "") if secret_env else "",
                   id_field=env.get("CITYDESK_SMS_HTTP_ID_FIELD", ""),
                   timeout=float(env.get("CITYDESK_SMS_HTTP_TIMEOUT", cls.timeout)))

    def __post_init__(self):
        # Refused at cold start: a configuration every SMS would fail with.
        if not re.match(r"https?://[^/?#\s]+", self.url):
            raise ValueError("CITYDESK_SMS_HTTP_URL must be an http:// or https:// address")
        if self.method not in ("POST", "GET"):
            raise ValueError("CITYDESK_SMS_HTTP_METHOD must be POST or GET")
        placeholders = set(PLACEHOLDER.findall(self.body))
        if not {"to", "text"} <= placeholders or not placeholders <= {"to", "text", "sender", "secret"}:
            raise ValueError("CITYDESK_SMS_HTTP_BODY must use {to} and {text}, and may use {sender} and {secret}")
        for name, template in (("CITYDESK_SMS_HTTP_URL", self.url),
                               *(("CITYDESK_SMS_HTTP_HEADERS", value) for _, value in self.headers)):
            if not set(PLACEHOLDER.findall(template)) <= {"secret"}:
                raise ValueError(f"{name} may use no placeholder but {{secret}}")
        templates = (self.url, self.body, *(value for _, value in self.headers))
        if not self.secret and any("{secret}" in template for template in templates):
            raise ValueError("{secret} needs CITYDESK_SMS_HTTP_SECRET_ENV, the variable that holds the secret")
        if self.json_body:
            if self.method == "GET":
                raise ValueError("CITYDESK_SMS_HTTP_METHOD=GET sends the body as a query string, not JSON")
            try:
                json.loads(PLACEHOLDER.sub("x", self.body))
            except json.JSONDecodeError:
                raise ValueError('CITYDESK_SMS_HTTP_BODY is not JSON (placeholders go inside strings: "{text}")') \
                    from None
        if not self.timeout > 0:
            raise ValueError("CITYDESK_SMS_HTTP_TIMEOUT must be a number of seconds above zero")


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
    sms_http: SmsGateway | None = None  # with sms="http"
    secret: str = ""
    local: bool = True  # cookies without `Secure` on plain-HTTP 127.0.0.1
    code_ttl_minutes: int = 10
    session_days: int = 30
    codes_per_phone_per_hour: int = 3
    codes_per_client_per_hour: int = 20
    wrong_tries_per_code: int = 5
    uploads_per_hour: int = 30  # photo upload forms one resident or staff member gets
    # Against SMS pumping: status SMS one phone gets a day (organisations' phones
    # excepted), and all SMS a day; beyond either they wait for the next day.
    sms_per_phone_per_day: int = 10
    sms_per_day: int = 2000
    email: str = "log"
    email_log: str = "var/email.log"
    email_from: str = ""  # a sender address SES has verified
    site_url: str = "http://127.0.0.1:8000"  # where e-mailed links and sign-in redirects point
    link_ttl_minutes: int = 15
    links_per_email_per_hour: int = 3
    oidc_providers: tuple = ()
    photos: str = "local"
    photo_dir: str = "var/photos"
    photo_bucket: str = ""
    s3_endpoint: str | None = None  # a moto server in local AWS mode
    # Where browsers reach that endpoint: the local server forwards this path to moto,
    # so uploads and photos stay on the site's own origin (its CSP allows no other).
    s3_public_url: str | None = None
    # Where the generated public pages go: a folder the local server serves, or the
    # site bucket behind CloudFront (whose copies of changed pages are invalidated).
    site_store: str = "local"
    site_dir: str = "build/site"
    site_bucket: str = ""
    cloudfront_distribution: str = ""
    # On AWS the API answers only requests the distribution passed on, which carry the
    # origin header (api/http.py): the HTTP API's own address is public too, and a
    # caller there could claim any CloudFront-Viewer-Address and slip the per-caller limits.
    origin_check: bool = False
    # How long a ticket keeps its reporter's personal data once it is final: three years.
    anonymise_after_days: int = 3 * 365

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise ValueError(f"CITYDESK_BACKEND must be one of {BACKENDS}")
        if self.sms not in SMS_PROVIDERS:
            raise ValueError(f"CITYDESK_SMS must be one of {SMS_PROVIDERS}")
        if self.sms == "http" and self.sms_http is None:
            raise ValueError("CITYDESK_SMS=http needs the gateway: CITYDESK_SMS_HTTP_URL and CITYDESK_SMS_HTTP_BODY")
        if self.email not in EMAIL_PROVIDERS:
            raise ValueError(f"CITYDESK_EMAIL must be one of {EMAIL_PROVIDERS}")
        if self.email == "ses" and not self.email_from:
            raise ValueError("CITYDESK_EMAIL_FROM is required with CITYDESK_EMAIL=ses")
        if self.photos not in PHOTO_STORES:
            raise ValueError(f"CITYDESK_PHOTOS must be one of {PHOTO_STORES}")
        if self.photos == "s3" and not self.photo_bucket:
            raise ValueError("CITYDESK_PHOTO_BUCKET is required with CITYDESK_PHOTOS=s3")
        if self.site_store not in SITE_STORES:
            raise ValueError(f"CITYDESK_SITE_STORE must be one of {SITE_STORES}")
        if self.site_store == "s3" and not self.site_bucket:
            raise ValueError("CITYDESK_SITE_BUCKET is required with CITYDESK_SITE_STORE=s3")
        if self.sms_per_phone_per_day < 1 or self.sms_per_day < 1:
            raise ValueError("CITYDESK_SMS_PER_PHONE_PER_DAY and CITYDESK_SMS_PER_DAY must be 1 or more")
        if self.uploads_per_hour < 1:
            raise ValueError("CITYDESK_UPLOADS_PER_HOUR must be 1 or more")
        if self.anonymise_after_days < 1:
            raise ValueError("CITYDESK_ANONYMISE_AFTER_DAYS must be 1 or more")
        if not self.secret:
            raise ValueError("CITYDESK_SECRET is required (it keys the hashes of codes and sessions)")

    @classmethod
    def from_env(cls, env=None) -> "Settings":
        """From `env`, by default the process's environment with the secrets merged in
        (secrets_env: an SSM SecureString parameter on AWS, read here once per container)."""
        env = secrets_env.environment() if env is None else env
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
            sms_http=SmsGateway.from_env(env) if env.get("CITYDESK_SMS") == "http" else None,
            secret=env.get("CITYDESK_SECRET", ""),
            local=env.get("CITYDESK_LOCAL", "0") == "1",
            code_ttl_minutes=num("CITYDESK_CODE_TTL_MINUTES", cls.code_ttl_minutes),
            session_days=num("CITYDESK_SESSION_DAYS", cls.session_days),
            codes_per_phone_per_hour=num("CITYDESK_CODES_PER_PHONE_PER_HOUR", cls.codes_per_phone_per_hour),
            codes_per_client_per_hour=num("CITYDESK_CODES_PER_CLIENT_PER_HOUR", cls.codes_per_client_per_hour),
            wrong_tries_per_code=num("CITYDESK_WRONG_TRIES_PER_CODE", cls.wrong_tries_per_code),
            uploads_per_hour=num("CITYDESK_UPLOADS_PER_HOUR", cls.uploads_per_hour),
            sms_per_phone_per_day=num("CITYDESK_SMS_PER_PHONE_PER_DAY", cls.sms_per_phone_per_day),
            sms_per_day=num("CITYDESK_SMS_PER_DAY", cls.sms_per_day),
            email=env.get("CITYDESK_EMAIL", "log"),
            email_log=env.get("CITYDESK_EMAIL_LOG", cls.email_log),
            email_from=env.get("CITYDESK_EMAIL_FROM", ""),
            site_url=env.get("CITYDESK_SITE_URL", cls.site_url).rstrip("/"),
            link_ttl_minutes=num("CITYDESK_LINK_TTL_MINUTES", cls.link_ttl_minutes),
            links_per_email_per_hour=num("CITYDESK_LINKS_PER_EMAIL_PER_HOUR", cls.links_per_email_per_hour),
            oidc_providers=tuple(OidcProvider.from_config(config, env)
                                 for config in json.loads(env.get("CITYDESK_OIDC_PROVIDERS") or "[]")),
            photos=env.get("CITYDESK_PHOTOS", "local"),
            photo_dir=env.get("CITYDESK_PHOTO_DIR", cls.photo_dir),
            photo_bucket=env.get("CITYDESK_PHOTO_BUCKET", ""),
            s3_endpoint=env.get("CITYDESK_S3_ENDPOINT") or None,
            s3_public_url=env.get("CITYDESK_S3_PUBLIC_URL") or None,
            site_store=env.get("CITYDESK_SITE_STORE", "local"),
            site_dir=env.get("CITYDESK_SITE_DIR", cls.site_dir),
            site_bucket=env.get("CITYDESK_SITE_BUCKET", ""),
            cloudfront_distribution=env.get("CITYDESK_CLOUDFRONT_DISTRIBUTION", ""),
            origin_check=env.get("CITYDESK_ORIGIN_CHECK", "0") == "1",
            anonymise_after_days=num("CITYDESK_ANONYMISE_AFTER_DAYS", cls.anonymise_after_days),
        )
