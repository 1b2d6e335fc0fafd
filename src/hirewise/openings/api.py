from hirewise.api import api_blueprint

blp = api_blueprint("openings", "openings", "Openings")
