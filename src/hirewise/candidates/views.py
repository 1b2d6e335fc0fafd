from flask import Blueprint

bp = Blueprint("candidates", __name__, template_folder="templates")


@bp.get("/candidates")
def index() -> str:
    return "candidates"
