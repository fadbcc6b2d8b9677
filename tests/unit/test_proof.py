"""The deploy-time proof on small hand-written graphs: detention dead ends (with loops, the
detention flag and releases beside the diagram), evidence reachable before a guarded act, and
the comparison of versions."""
from engine.domain import catalogue, proof
from engine.domain.guarding import Guarded, guards_of, removed, weakened
from engine.domain.proof import UNKNOWN, Edge, Graph, Node


def task(node_id, act=None, stage=None, lane="investigator", records=(), sets_flag=None):
    return Node(node_id, "userTask", act=act, stage=stage, lane=lane, records=frozenset(records),
                sets_flag=sets_flag, waits=True)


def node(node_id, kind, sets_flag=None):
    return Node(node_id, kind, sets_flag=sets_flag)


def graph(nodes, edges, starts=("start",)):
    return Graph({n.id: n for n in nodes}, tuple(Edge(*e) if isinstance(e, tuple) else e for e in edges), starts)


START, END = node("start", "startEvent"), node("end", "endEvent")
REGISTER = task("register", "registration", "registration")
APPREHEND = task("apprehend", "apprehension", "detention")
CUSTODY = task("custody", "custody_decision", "custody", lane="judge", records=("detention_judicial_review",))
RELEASE = task("release", "release", "detention")
MARK = node("mark", "scriptTask", sets_flag=True)
CLEAR = node("clear", "scriptTask", sets_flag=False)


def dead_ends(g):
    return [(f.element, f.path) for f in proof.detention_dead_ends(g)]


# ---------------------------------------------------------------- detention dead ends

def test_an_apprehension_straight_to_the_end_is_a_dead_end_named_by_its_path():
    g = graph([START, REGISTER, APPREHEND, END], [("start", "register"), ("register", "apprehend"), ("apprehend", "end")])
    assert dead_ends(g) == [("end", ("apprehend", "end"))]


def test_a_custody_decision_or_a_release_before_the_end_closes_the_episode():
    via_judge = graph([START, APPREHEND, CUSTODY, END], [("start", "apprehend"), ("apprehend", "custody"), ("custody", "end")])
    via_release = graph([START, APPREHEND, RELEASE, END], [("start", "apprehend"), ("apprehend", "release"), ("release", "end")])
    assert dead_ends(via_judge) == [] and dead_ends(via_release) == []


def test_one_branch_that_skips_the_judge_is_enough_to_refuse():
    gw = node("gw", "exclusiveGateway")
    g = graph([START, APPREHEND, gw, CUSTODY, END],
              [("start", "apprehend"), ("apprehend", "gw"), ("gw", "custody"), ("gw", "end"), ("custody", "end")])
    assert dead_ends(g) == [("end", ("apprehend", "gw", "end"))]


def test_a_loop_back_to_the_apprehension_terminates_and_is_judged_on_every_round():
    gw = node("gw", "exclusiveGateway")
    again = node("again", "exclusiveGateway")
    safe = graph([START, again, APPREHEND, CUSTODY, gw, END],
                 [("start", "again"), ("again", "apprehend"), ("apprehend", "custody"), ("custody", "gw"),
                  ("gw", "again"), ("gw", "end")])
    assert dead_ends(safe) == []
    # a second apprehension in the loop that bypasses the judge the second time round
    unsafe = graph([START, again, APPREHEND, CUSTODY, gw, END, node("skip", "exclusiveGateway")],
                   [("start", "again"), ("again", "apprehend"), ("apprehend", "skip"), ("skip", "custody"),
                    ("skip", "gw"), ("custody", "gw"), ("gw", "again"), ("gw", "end")])
    assert dead_ends(unsafe) == [("end", ("apprehend", "skip", "gw", "end"))]


def test_a_cycle_with_no_way_out_is_not_a_dead_end_and_does_not_hang():
    loop = task("interrogate", "interrogation", "interrogation")
    g = graph([START, APPREHEND, loop], [("start", "apprehend"), ("apprehend", "interrogate"), ("interrogate", "interrogate")])
    assert dead_ends(g) == []


def test_the_default_flow_of_a_detention_test_is_taken_only_after_a_release_beside_the_diagram():
    """detained == True goes to the judge; its default runs only when the flag is clear, which
    after an apprehension marked by a script means someone recorded a release while a task waited."""
    gw = node("gw", "exclusiveGateway")
    edges = [("start", "apprehend"), ("apprehend", "mark"), ("mark", "wait"), ("wait", "gw"),
             Edge("gw", "custody", True), Edge("gw", "end", False), ("custody", "end")]
    wait = task("wait", "qualification", "investigation")
    assert dead_ends(graph([START, APPREHEND, MARK, wait, gw, CUSTODY, END], edges)) == []


def test_a_script_that_clears_the_flag_while_the_person_is_held_opens_a_dead_end():
    gw = node("gw", "exclusiveGateway")
    g = graph([START, APPREHEND, CLEAR, gw, CUSTODY, END],
              [("start", "apprehend"), ("apprehend", "clear"), ("clear", "gw"),
               Edge("gw", "custody", True), Edge("gw", "end", False), ("custody", "end")])
    assert dead_ends(g) == [("end", ("apprehend", "clear", "gw", "end"))]


def test_a_flag_nobody_can_read_statically_lets_both_branches_through():
    gw = node("gw", "exclusiveGateway")
    unknown = node("compute", "scriptTask", sets_flag=UNKNOWN)
    g = graph([START, APPREHEND, MARK, unknown, gw, CUSTODY, END],
              [("start", "apprehend"), ("apprehend", "mark"), ("mark", "compute"), ("compute", "gw"),
               Edge("gw", "custody", True), Edge("gw", "end", False), ("custody", "end")])
    assert [e for e, _ in dead_ends(g)] == ["end"]


def test_an_end_inside_a_subprocess_goes_on_in_the_parent():
    inner_end = node("sub_end", "subprocessEnd")
    g = graph([START, node("sub", "subProcess"), node("sub_start", "startEvent"), APPREHEND, inner_end, CUSTODY, END],
              [("start", "sub"), ("sub", "sub_start"), ("sub_start", "apprehend"), ("apprehend", "sub_end"),
               ("sub_end", "custody"), ("custody", "end")])
    assert dead_ends(g) == []


def test_a_long_chain_of_two_way_loops_is_walked_once_per_state():
    size = 3000
    nodes = [START, APPREHEND, CUSTODY, END] + [task(f"t{i}", "investigative_act", "investigation") for i in range(size)]
    edges = [("start", "apprehend"), ("apprehend", "t0")]
    edges += [(f"t{i}", f"t{i + 1}") for i in range(size - 1)] + [(f"t{i + 1}", f"t{i}") for i in range(size - 1)]
    edges += [(f"t{size - 1}", "custody"), ("custody", "end")]
    g = graph(nodes, edges)
    assert proof.prove(g) == []
    edges[-1] = ("custody", "t0")  # now the only end is unreachable: still no finding, still terminates
    assert proof.detention_dead_ends(graph(nodes, edges)) == []


# ---------------------------------------------------------------- evidence

def test_an_interrogation_with_nothing_before_it_cannot_have_its_evidence_recorded():
    first = task("interrogate", "interrogation", "interrogation")
    g = graph([START, first, END], [("start", "interrogate"), ("interrogate", "end")])
    (finding,) = proof.unreachable_evidence(g)
    assert finding.element == "interrogate" and finding.path == ("start", "interrogate")
    assert "counsel_before_interrogation" in finding.message and "silence_caution" not in finding.message  # a flag, not a block


def test_a_task_before_in_a_recording_lane_or_the_acts_own_form_lets_the_evidence_in():
    interrogate = task("interrogate", "interrogation", "interrogation")
    after_register = graph([START, REGISTER, interrogate, END],
                           [("start", "register"), ("register", "interrogate"), ("interrogate", "end")])
    assert proof.unreachable_evidence(after_register) == []
    judge_first = task("custody", "custody_decision", "custody", lane="judge",
                       records=("detention_judicial_review", "interpreter", "medical_examination", "juvenile_safeguards"))
    assert proof.unreachable_evidence(graph([START, judge_first, END], [("start", "custody"), ("custody", "end")])) == []


def test_the_defence_lane_is_no_place_to_record_evidence_and_a_bypass_is_found():
    lodge = task("lodge", "appeal", "appeal", lane="defence")
    interrogate = task("interrogate", "interrogation", "interrogation")
    gw = node("gw", "exclusiveGateway")
    g = graph([START, gw, REGISTER, lodge, interrogate, END],
              [("start", "gw"), ("gw", "register"), ("gw", "lodge"), ("register", "interrogate"),
               ("lodge", "interrogate"), ("interrogate", "end")])
    (finding,) = proof.unreachable_evidence(g)
    assert finding.path == ("start", "gw", "lodge", "interrogate")


# ---------------------------------------------------------------- versions

def test_guards_bind_to_the_act_whatever_the_stage_and_a_release_is_never_guarded():
    interrogation = guards_of(Guarded("i", "interrogation", "investigation"))
    assert {"counsel_before_interrogation", "silence_caution", "interpreter"} <= interrogation
    assert guards_of(Guarded("r", "release", "custody")) == frozenset()


def test_a_re_tagged_or_stripped_element_is_weakened_naming_the_dropped_rights():
    old = {"i": Guarded("i", "interrogation", "interrogation", ("ombudsperson_access",))}
    retagged = {"i": Guarded("i", "interrogation", "investigation", ("ombudsperson_access",))}
    (retag,) = weakened(old, retagged)  # a stage guarded by fewer rights, though the act still guards
    assert retag.element == "i" and set(retag.dropped) <= {cp.id for cp in catalogue.guarding("interrogation")}
    assert retag.dropped
    stripped = {"i": Guarded("i", "investigative_act", "investigation")}
    (weaker,) = weakened(old, stripped)
    assert weaker.element == "i" and "counsel_before_interrogation" in weaker.dropped
    assert "ombudsperson_access" not in weaker.dropped  # investigation's stage guards it too
    stronger = {"i": Guarded("i", "interrogation", "interrogation", ("ombudsperson_access", "jury_right"))}
    assert weakened(old, stronger) == []


def test_removing_a_guarded_element_is_listed_and_an_unguarded_one_is_not():
    old = {"c": Guarded("c", "custody_decision", "custody"), "r": Guarded("r", "release", "detention")}
    (gone,) = removed(old, {})
    assert gone.element == "c" and "detention_judicial_review" in gone.rights
