"""The controlled-substance log's page forms (SPEC.md section 12). They parse and label input; every
rule is the services' (the API's), and a refusal comes back beside the field it names. The
witness's three fields are the witness's own: the browser must not fill them with the signed-in
nurse's saved password (``autocomplete="off"``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from controlled.models import Container, WasteReason
from controlled.rules import MAX_CONCENTRATION_MG_PER_ML, MAX_VOLUME_ML
from controlled.services.stock import MAX_CONTAINERS_PER_RECEIPT
from core.input_bounds import BoundedDateField
from web.forms import PageForm

DEFAULT_PRODUCT = "Ketamine hydrochloride injection, USP"


def _date(label: str, help_text: str) -> forms.DateField:
    # Bounded like every date anyone sends (core.input_bounds): 9999-12-31 is a refusal, not a 500.
    return BoundedDateField(
        label=label,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a real date, for example 2026-12-01.",
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _per_ml(label: str, most: Decimal, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.01"),
        max_value=most,
        max_digits=5,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": "0.01", "max": str(most), "step": "0.01", "inputmode": "decimal"}),
    )


class WitnessForm(PageForm):
    """The second staff member signs here, on the same screen: all three are theirs, not yours."""

    witness_email = forms.EmailField(
        label="Witness email",
        required=False,
        help_text="The witness's own sign-in email.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    witness_password = forms.CharField(
        label="Witness password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    witness_otp = forms.CharField(
        label="Witness code",
        required=False,
        max_length=32,
        help_text="The 6 digits the witness's authenticator app shows now.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    WITNESS_FIELDS = ("witness_email", "witness_password", "witness_otp")


class ReceiveForm(PageForm):
    product = forms.CharField(label="Product", max_length=120, initial=DEFAULT_PRODUCT)
    lot = forms.CharField(label="Lot", max_length=40)
    expires_on = _date("Expiry date", "As printed on the vial, for example 2027-06-30.")
    concentration_mg_per_ml = _per_ml("Concentration (mg/mL)", MAX_CONCENTRATION_MG_PER_ML, "For example 50.")
    volume_ml = _per_ml("Volume of each vial (mL)", MAX_VOLUME_ML, "For example 10.")
    number = forms.IntegerField(
        label="Number of vials",
        min_value=1,
        max_value=MAX_CONTAINERS_PER_RECEIPT,
        initial=1,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_CONTAINERS_PER_RECEIPT, "inputmode": "numeric"}),
    )
    received_on = _date("Date received", "The day the vials arrived, not after today.")
    supplier = forms.CharField(label="Supplier", max_length=200)
    invoice_number = forms.CharField(label="Invoice number", max_length=60)


class ContainerWasteForm(WitnessForm):
    reason = forms.ChoiceField(
        label="Why it is wasted",
        choices=[(WasteReason.EXPIRED, "Expired"), (WasteReason.DAMAGED, "Damaged")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="How it was disposed of",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ["reason", "note", *WitnessForm.WITNESS_FIELDS]


def container_choice(container: Container) -> str:
    state = "opened" if container.opened_at else "sealed"
    return (
        f"Lot {container.lot}, {container.concentration_mg_per_ml} mg/mL: {container.balance_mg} mg "
        f"({container.balance_ml} mL) left, {state}, expires {container.expires_on.isoformat()}"
    )


class DrawForm(PageForm):
    container = forms.ChoiceField(label="Container")
    mg = forms.DecimalField(
        label="Drawn (mg)",
        min_value=Decimal("0.1"),
        max_digits=6,
        decimal_places=1,
        help_text="To 0.1 mg.",
        widget=forms.NumberInput(attrs={"min": "0.1", "step": "0.1", "inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, containers: list[Container], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a container"), *[(str(c.pk), container_choice(c)) for c in containers]]
        self.fields["container"].choices = choices  # type: ignore[attr-defined]


class AdministrationForm(WitnessForm):
    pass


class CountForm(WitnessForm):
    """The number of containers on the shelf, and the mL left in each open one (``ml_<id>``)."""

    containers_counted = forms.IntegerField(
        label="Containers on the shelf",
        min_value=0,
        max_value=10000,
        help_text="Every vial, sealed or open, counted by hand.",
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )
    note = forms.CharField(
        label="Note (optional)", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, open_containers: list[Container], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_containers = open_containers
        volumes = {
            f"ml_{container.pk}": forms.DecimalField(
                label=f"mL left in lot {container.lot} ({container.concentration_mg_per_ml} mg/mL, "
                f"container {str(container.pk)[:8]})",
                min_value=Decimal("0"),
                max_digits=6,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
            )
            for container in open_containers
        }
        fields = {"containers_counted": self.fields.pop("containers_counted"), **volumes}
        self.fields = {**fields, **self.fields}

    def volume_fields(self) -> list[forms.BoundField]:
        return [self[f"ml_{container.pk}"] for container in self.open_containers]

    def open_ml(self) -> dict[Any, Decimal]:
        return {container.pk: self.cleaned_data[f"ml_{container.pk}"] for container in self.open_containers}


class ResolveForm(PageForm):
    note = forms.CharField(
        label="Note",
        max_length=2000,
        help_text="What you found and did: for example, recounted with the nurse; a vial was in the fridge.",
        error_messages={"required": "Write a note saying what was found and done."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InventoryDayForm(PageForm):
    date = _date("Date", "The inventory at the close of this clinic day, for example 2026-12-07.")
