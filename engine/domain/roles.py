"""Who acts in a criminal case, and what each role may do in Habeas."""

INVESTIGATOR = "investigator"
PROSECUTOR = "prosecutor"
SUPERVISING_PROSECUTOR = "supervising_prosecutor"
JUDGE = "judge"
DEFENCE = "defence"
DESIGNER = "designer"
REVIEWER = "reviewer"
ADMIN = "admin"
TRAINEE = "trainee"  # plays practice cases only (engine.services.training)
TRAINER = "trainer"  # authors scenarios, reviews trainees' runs and the cohort report

ROLES = (INVESTIGATOR, PROSECUTOR, SUPERVISING_PROSECUTOR, JUDGE, DEFENCE, DESIGNER, REVIEWER, ADMIN,
         TRAINEE, TRAINER)

# Roles that act on cases (complete tasks, record evidence).  Reviewers and designers never do.
CASE_ACTORS = frozenset({INVESTIGATOR, PROSECUTOR, SUPERVISING_PROSECUTOR, JUDGE, DEFENCE})
# A lane may be worked by its own role; a supervising prosecutor may also act for a prosecutor.
LANE_STANDINS = {PROSECUTOR: frozenset({SUPERVISING_PROSECUTOR})}
OPENERS = frozenset({INVESTIGATOR, PROSECUTOR, SUPERVISING_PROSECUTOR})
DEPLOYERS = frozenset({DESIGNER, ADMIN})


def may_work_lane(role: str, lane: str | None) -> bool:
    if lane is None:
        return role in CASE_ACTORS
    return role == lane or role in LANE_STANDINS.get(lane, ())
