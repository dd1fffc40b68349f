"""Staff forms of the committee work: loading the document, setting up a committee, recommendations."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agenda.models import Congress
from committees.models import Amendment, Chapter, Committee, PoliticalDocument, Statement
from committees.services import (
    committee_problems,
    outcome_problem,
    recommendation_problems,
    statement_proposer_problems,
)
from delegates.models import Participant

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


class DocumentLoadForm(forms.Form):
    congress = forms.ModelChoiceField(label=_("Congress"), queryset=Congress.objects.none())
    title = forms.CharField(
        label=_("Title"), max_length=300, required=False, help_text=_("Empty: the title at the top of the text.")
    )
    text_format = forms.ChoiceField(
        label=_("Format"),
        choices=PoliticalDocument.Format.choices,
        initial=PoliticalDocument.Format.MARKDOWN,
        help_text=_(
            "Markdown: “## Chapter” starts a chapter (or “#” when the text has no “##”); a blank line separates"
            " paragraphs. Plain text: a short numbered line such as “3. Arbeidsgiverpolitikk” starts a chapter."
        ),
    )
    line_length = forms.IntegerField(label=_("Characters per line"), min_value=40, max_value=120, initial=80)
    file = forms.FileField(label=_("File (.md or .txt)"), required=False)
    text = forms.CharField(label=_("Or paste the text"), widget=forms.Textarea(attrs={"rows": 16}), required=False)
    amendments_confirmed = forms.BooleanField(
        label=_("Load the text again although amendments refer to the current line numbers"), required=False
    )

    def __init__(self, *args, document: PoliticalDocument | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = document
        if document is not None:
            del self.fields["congress"]
            self.fields["title"].initial = document.title
            self.fields["text_format"].initial = document.text_format
            self.fields["line_length"].initial = document.line_length
        else:
            self.fields["congress"].queryset = Congress.objects.filter(political_document__isnull=True)
            del self.fields["amendments_confirmed"]

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text", "")
        if upload is not None:
            if upload.size > MAX_DOCUMENT_BYTES:
                raise ValidationError({"file": _("The file is larger than 2 MB; is it really a text file?")})
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                try:
                    text = raw.decode("cp1252")
                except UnicodeDecodeError:
                    raise ValidationError(
                        {"file": _("The file is not text in UTF-8 or Windows-1252; save it as UTF-8 text.")}
                    ) from None
        if not text.strip():
            raise ValidationError(_("Choose a file or paste the text."))
        cleaned["text"] = text
        return cleaned


class CommitteeAdminForm(forms.ModelForm):
    class Meta:
        model = Committee
        fields = [
            "congress",
            "name",
            "kind",
            "mandate",
            "chapters",
            "members",
            "chair",
            "secretary",
            "recommendation_published",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        congress_id = self.instance.congress_id or self.initial.get("congress") or self.data.get("congress")
        if "chapters" in self.fields:
            chapters = Chapter.objects.select_related("document__congress").order_by("document", "number")
            if congress_id:
                chapters = chapters.filter(document__congress_id=congress_id)
            self.fields["chapters"].queryset = chapters
            self.fields["chapters"].label_from_instance = lambda c: f"{c} ({_('lines')} {c.first_line}–{c.last_line})"
        for name in ("members", "chair"):
            if name in self.fields:
                participants = Participant.objects.filter(status=Participant.Status.ACTIVE).select_related(
                    "organisation"
                )
                if congress_id:
                    participants = participants.filter(congress_id=congress_id)
                self.fields[name].queryset = participants.order_by("last_name", "first_name")
                self.fields[name].label_from_instance = _participant_label
        if "secretary" in self.fields:
            self.fields["secretary"].queryset = self.fields["secretary"].queryset.filter(is_staff=True, is_active=True)

    def clean(self):
        cleaned = super().clean()
        self.instance.congress = cleaned.get("congress") or self.instance.congress
        self.instance.kind = cleaned.get("kind") or self.instance.kind
        if self.instance.congress_id is None:
            return cleaned
        errors = committee_problems(
            committee=self.instance,
            chapters=cleaned.get("chapters") or [],
            members=cleaned.get("members") or [],
            chair=cleaned.get("chair"),
        )
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


def _participant_label(participant: Participant) -> str:
    organisation = participant.organisation.name if participant.organisation_id else ""
    return f"{participant.full_name}, {organisation}" if organisation else participant.full_name


class ProposalDecisionFormMixin:
    """Checks the committee's recommendation and the plenary outcome of an amendment or statement as the services do,
    so that a refusal is shown at its field."""

    def clean(self):
        cleaned = super().clean()
        text_field = self.instance.amended_text_field
        if "recommendation" in self.fields:
            errors = recommendation_problems(
                proposal=self.instance,
                recommendation=cleaned.get("recommendation", ""),
                text=cleaned.get(text_field, ""),
                merged_into=cleaned.get("merged_into"),
            )
            for field, message in errors.items():
                self.add_error(field, message)
        amended_text = cleaned.get(text_field, getattr(self.instance, text_field))
        if problem := outcome_problem(outcome=cleaned.get("outcome", ""), amended_text=amended_text):
            self.add_error("outcome", problem)
        return cleaned


class AmendmentAdminForm(ProposalDecisionFormMixin, forms.ModelForm):
    class Meta:
        model = Amendment
        fields = ["recommendation", "recommendation_text", "recommendation_reason", "merged_into", "outcome"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "merged_into" in self.fields and self.instance.pk:
            self.fields["merged_into"].queryset = (
                Amendment.objects.filter(document=self.instance.document_id, status=Amendment.Status.SUBMITTED)
                .exclude(pk=self.instance.pk)
                .order_by("number")
            )
            self.fields["merged_into"].label_from_instance = lambda a: f"{a} ({a.lines_label})"


#: What the secretariat enters of a statement that came by letter.
STATEMENT_PROPOSAL_FIELDS = (
    "congress",
    "title",
    "text",
    "justification",
    "proposer_kind",
    "proposer_name",
    "organisation",
)


class StatementAdminForm(ProposalDecisionFormMixin, forms.ModelForm):
    class Meta:
        model = Statement
        fields = [*STATEMENT_PROPOSAL_FIELDS, "recommendation", "final_text", "recommendation_reason", "outcome"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and "proposer_kind" in cleaned:
            errors = statement_proposer_problems(
                proposer_kind=cleaned["proposer_kind"],
                proposer_name=cleaned.get("proposer_name", ""),
                organisation=cleaned.get("organisation"),
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return cleaned


class AmendmentForwardForm(forms.Form):
    """The confirmation of forwarding a county meeting's adopted amendments to the Landsting's document.

    ``leave_out`` carries the numbers of the amendments the dry run showed as not fitting; they are left out only when
    the user ticks ``leave_out_confirmed``."""

    target = forms.ModelChoiceField(
        label=_("Forward to"),
        queryset=PoliticalDocument.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("Only the current Landsting's draft political document."),
    )
    leave_out = forms.CharField(widget=forms.HiddenInput, required=False)
    leave_out_confirmed = forms.BooleanField(
        label=_("Forward the others and leave out the amendments listed with problems"),
        required=False,
        help_text=_("Send the amendments left out to the secretariat another way."),
    )

    def __init__(self, *args, target: PoliticalDocument | None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = PoliticalDocument.objects.select_related("congress")
        self.fields["target"].queryset = queryset.filter(pk=target.pk) if target else queryset.none()
        if target is not None:
            self.fields["target"].initial = target.pk

    def clean_leave_out(self) -> list[int]:
        numbers = self.cleaned_data.get("leave_out", "")
        return [int(number) for number in numbers.split(",") if number.strip().isdigit()]

    def leave_out_numbers(self) -> list[int]:
        """The numbers to leave out: those the dry run showed, when the user confirmed leaving them out."""
        if not self.cleaned_data.get("leave_out_confirmed"):
            return []
        return self.cleaned_data.get("leave_out", [])
