"""nbgrader settings of every server in the course image: the course and the shared exchange."""

import os

c = get_config()  # noqa: F821 - injected by traitlets
c.CourseDirectory.course_id = "skin-needling-trainer"
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
