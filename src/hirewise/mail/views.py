from flask import Blueprint

bp = Blueprint("mail", __name__, template_folder="templates")


@bp.get("/outbox")
def outbox() -> str:
    return "outbox"
