from hirewise.api import api_blueprint

blp = api_blueprint("kits", "kits", "Hiring kits")
