from flask import Blueprint

bp = Blueprint("careers", __name__, template_folder="templates")


@bp.get("/careers")
def index() -> str:
    return "careers"
