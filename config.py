"""Configuration: the environment is read here and nowhere else."""
import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_HOUSEHOLD_KEY = "9GPBLvRsoSZC6-DQI-hHBc9kL08RiQHEHisbE6CbL1g="  # Fernet key, development and tests only


def as_bool(value, default=False):
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _normalise_db_url(url):
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret-key-change-me")
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(os.environ.get("DATABASE_URL")) or (
        "sqlite:///" + str(BASE_DIR / "instance" / "marketplace.db")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    HOUSEHOLD_ID_KEY = os.environ.get("HOUSEHOLD_ID_KEY", DEV_HOUSEHOLD_KEY)
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute")
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")
    #: Send outbox messages (Stripe calls) in-process right after the request that wrote them commits;
    #: off = only `flask outbox run` (a worker) sends them.
    OUTBOX_DISPATCH_INLINE = os.environ.get("OUTBOX_DISPATCH_INLINE", "1") != "0"
    ORDER_PAY_BY_HOURS_STRIPE = int(os.environ.get("ORDER_PAY_BY_HOURS_STRIPE", "1"))
    ORDER_PAY_BY_DAYS_TRANSFER = int(os.environ.get("ORDER_PAY_BY_DAYS_TRANSFER", "7"))
    #: Stored files (evidence documents): a local directory.
    FILE_STORAGE_DIR = os.environ.get("FILE_STORAGE_DIR", str(BASE_DIR / "instance" / "files"))
    #: Where the app is reached, for absolute links it hands out (the demo's evidence URLs).
    PUBLIC_BASE_URL = os.environ.get(
        "PUBLIC_BASE_URL", f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
    #: This year's monitoring line (防止返贫监测线), per capita per year, shown in the income-bands report.
    #: Default: the 2021 national monitoring range of 6000 yuan; set the province's current line.
    MONITORING_LINE_FEN = int(os.environ.get("MONITORING_LINE_FEN", "600000"))
    MONITORING_LINE_YEAR = int(os.environ.get("MONITORING_LINE_YEAR", "2021"))
    MONITORING_LINE_SOURCE = os.environ.get(
        "MONITORING_LINE_SOURCE", "national monitoring range 2021 (防止返贫动态监测, 人均纯收入 6000 元)")
    CORS_ORIGINS = [o for o in os.environ.get("CORS_ORIGINS", "").split(",") if o]
    MAX_CONTENT_LENGTH = 1024 * 1024
    ACCESS_TOKEN_TTL_SECONDS = 3600
    REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600
    #: An admin-issued one-time password reset token (accounts/lifecycle.py) expires after this.
    PASSWORD_RESET_TTL_SECONDS = 24 * 3600
    ARGON2_PROFILE = "default"
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # flask-smorest / OpenAPI
    API_TITLE = "Consumption-aid marketplace"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "https://cdn.jsdelivr.net/npm/swagger-ui-dist/"
    PROPAGATE_EXCEPTIONS = False
    # flask-compress: JSON, problem+json and CSV (streamed exports stay streamed: compressed chunk by
    # chunk with br/deflate; XLSX is already a zip). zstd needs a package not installed.
    COMPRESS_MIMETYPES = ["application/json", "application/problem+json", "text/csv", "text/html", "text/plain"]
    COMPRESS_ALGORITHM = ["br", "gzip", "deflate"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "deflate"]


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite://"
    ARGON2_PROFILE = "cheap"
    RATELIMIT_STORAGE_URI = "memory://"
    HOUSEHOLD_ID_KEY = DEV_HOUSEHOLD_KEY
    FILE_STORAGE_DIR = str(Path(tempfile.gettempdir()) / "marketplace-test-files")
    STRIPE_SECRET_KEY = "sk_test_fake"
    STRIPE_WEBHOOK_SECRET = "whsec_test_secret"


class ProductionConfig(Config):
    REQUIRED = ("DATABASE_URL", "SECRET_KEY", "HOUSEHOLD_ID_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")

    @classmethod
    def check_environment(cls):
        missing = [name for name in cls.REQUIRED if not os.environ.get(name)]
        if missing:
            raise RuntimeError("production configuration is missing: " + ", ".join(missing))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
