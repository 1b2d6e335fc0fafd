from flask import Blueprint

bp = Blueprint("kits", __name__, template_folder="templates")


@bp.get("/kits")
def index() -> str:
    return "kits"
