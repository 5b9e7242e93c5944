"""Extension singletons; bound to the app in create_app (no app import here)."""
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from marketplace.core.db import Base
from marketplace.core.openapi import ContractApi

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
api = ContractApi()
compress = Compress()
