"""Flask extensions, and the engine object the views hand to the services."""
from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import sessionmaker

from engine.domain.clock import SystemClock
from engine.domain.params import Params
from engine.persistence.database import configure_sqlite
from engine.persistence.models import Base
from engine.services.context import Habeas

db = SQLAlchemy(metadata=Base.metadata)
csrf = CSRFProtect()


def init_app(app) -> None:
    db.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            configure_sqlite(engine)
        app.extensions["habeas"] = Habeas(sessions=sessionmaker(bind=engine, expire_on_commit=False),
                                          clock=app.config["CLOCK"] or SystemClock(), params=Params.from_env(),
                                          anchor=app.config["AUDIT_ANCHOR"])


def habeas() -> Habeas:
    return current_app.extensions["habeas"]


def habeas_for(app) -> Habeas:
    return app.extensions["habeas"]
