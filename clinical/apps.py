from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    name = "clinical"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # booking asks its plan question through an interface it owns; clinical answers it here,
        # and follows booking's changes through the event hook (a plan completes with its last infusion).
        from booking.plan_gate import register_plan_gate
        from booking.record_links import register_record_columns
        from booking.visit_gate import register_visit_gate
        from clinical.selectors import evaluation_link_columns
        from clinical.services.plan_progress import plan_complete_when_done
        from clinical.services.plan_rules import TreatmentPlanGate
        from clinical.services.start_gate import ClinicalVisitGate
        from core.events import subscribe

        register_plan_gate(TreatmentPlanGate())
        register_visit_gate(ClinicalVisitGate())
        register_record_columns(evaluation_link_columns())  # the evaluation link on appointment reads
        subscribe(plan_complete_when_done)
        from clinical.services.infusion_record import infusion_record_follow_appointment

        subscribe(infusion_record_follow_appointment)  # the session record from check-in, its real start
        from clinical.services.questionnaires import questionnaires_follow_appointment

        subscribe(questionnaires_follow_appointment)  # a PHQ-9 and a GAD-7 before every infusion
        from clinical.regulated_gate import register_regulated_gate
        from clinical.services.regulated_gate import ConsentAndPregnancyGate

        register_regulated_gate(ConsentAndPregnancyGate())  # consent and pregnancy test (section 12)
