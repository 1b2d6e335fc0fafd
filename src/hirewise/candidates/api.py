from hirewise.api import api_blueprint

candidates_blp = api_blueprint("candidates", "candidates", "Candidates")
applications_blp = api_blueprint("applications", "applications", "Applications")
