from flask import Blueprint

bp = Blueprint("openings", __name__, template_folder="templates")


@bp.get("/")
def dashboard() -> str:
    return "dashboard"


@bp.get("/openings")
def index() -> str:
    return "openings"
