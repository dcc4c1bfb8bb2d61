"""Spreadsheet import of an OCOP rating decision (its columns and template: certifications.resources).

A decision file has one row per product: the decision's number, date and issuer (which may be left
blank after the first row: blank means "as above"), then the product, its producer, its category and
its stars. Every row is checked before anything is saved; the admin shows each row's problems, and
saving happens only after the user confirms, in one transaction. Products and producers that do not
exist yet are created, in the province chosen for the import, only when the user asks for it.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.fields import Field
from import_export.widgets import DateWidget

from core.admin.imports import IMPORT_REASON, CatalogueResource, RowErrors, cell_text, parse_date, parse_stars
from core.admin.scoping import in_scope
from core.text import fold_vietnamese, normalise_certificate_number
from producers.models import Producer
from producers.resources import kind_choices_text, producer_kind_from
from products.models import Category, Product

from .import_hints import NearMisses
from .import_rules import (
    CERTIFICATE_COLUMNS,
    PRODUCER_COLUMNS,
    PRODUCT_COLUMNS,
    add_errors,
    signing_date_problem,
)
from .models import Certificate, CertificateKind, CertifiedProduct
from .resources import (
    CATEGORY,
    DATE,
    DECISION_COLUMNS,
    ISSUER,
    NOTE,
    NUMBER,
    PRODUCER,
    PRODUCER_KIND,
    PRODUCT,
    REQUIRED_COLUMNS,
    STARS,
    TEMPLATE_HEADERS,
    TITLE,
)


class DecisionImportResource(CatalogueResource):
    """One row per product listed on an OCOP rating decision (see the module docstring)."""

    number = Field(attribute="certificate__number", column_name=NUMBER)
    issued_on = Field(attribute="certificate__issued_on", column_name=DATE, widget=DateWidget("%d/%m/%Y"))
    issuer = Field(attribute="certificate__issuer", column_name=ISSUER)
    title = Field(attribute="certificate__title", column_name=TITLE)
    product_name = Field(attribute="product__name", column_name=PRODUCT)
    producer_name = Field(attribute="product__producer__name", column_name=PRODUCER)
    producer_kind = Field(attribute="product__producer__get_kind_display", column_name=PRODUCER_KIND)
    category_name = Field(attribute="product__category__name", column_name=CATEGORY)
    stars = Field(attribute="stars", column_name=STARS)
    note = Field(attribute="import_note", column_name=NOTE)

    header_aliases = {
        "so": NUMBER,
        "so qd": NUMBER,
        "decision number": NUMBER,
        "ngay": DATE,
        "ngay quyet dinh": DATE,
        "ngay ban hanh": DATE,
        "date": DATE,
        "co quan cap": ISSUER,
        "issuer": ISSUER,
        "title": TITLE,
        "ten san pham": PRODUCT,
        "product": PRODUCT,
        "chu the ocop": PRODUCER,
        "ten chu the": PRODUCER,
        "producer": PRODUCER,
        "producer kind": PRODUCER_KIND,
        "category": CATEGORY,
        "hang sao": STARS,
        "sao": STARS,
        "stars": STARS,
    }
    required_columns = REQUIRED_COLUMNS

    class Meta:
        model = CertifiedProduct
        fields = (
            "number",
            "issued_on",
            "issuer",
            "title",
            "product_name",
            "producer_name",
            "producer_kind",
            "category_name",
            "stars",
            "note",
        )
        import_id_fields = ()
        force_init_instance = True

    def __init__(self, user=None, province=None, create_missing=False, **kwargs):
        super().__init__(user=user, **kwargs)
        self.province = province
        self.create_missing = bool(create_missing)
        self._above, self._above_key = {}, None  # the decision written above (blank cells mean "as above")
        self._decision_line = {}
        self._bad_decisions = set()
        self._certificates = {}
        self._seen = {}
        self._producers = None
        self._products = {}
        self._categories = None
        self._near = NearMisses(province)

    def get_import_fields(self):
        # The last column of the preview says what each row will do; it is not read from the file.
        return [*self.get_user_visible_fields(), self.fields["note"]]

    def get_user_visible_fields(self):
        by_column = {field.column_name: field for field in self.fields.values()}
        return [by_column[column] for column in TEMPLATE_HEADERS]

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if self.province is None or not in_scope(self.user, self.province) or not self.province.is_current:
            raise ValueError(_("Hãy chọn tỉnh, thành phố của quyết định (trong phạm vi bạn phụ trách)."))

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        # The preview numbers its rows as the error table does (admin/ocop/import.html): the row's number in the
        # file, whose header is line 1, is row_number + 1; blank rows skipped leave their numbers out.
        row_result.number = kwargs.get("row_number")

    # --- one row --------------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        if self.is_blank(row):
            instance._blank_row = True
            return
        line = kwargs.get("row_number", 0) + 1
        errors = RowErrors()
        decision = self._decision(row, line, errors)
        product_name = cell_text(row.get(PRODUCT))
        producer_name = cell_text(row.get(PRODUCER))
        for column, value in ((PRODUCT, product_name), (PRODUCER, producer_name)):
            if not value:
                errors.add(column, _("Thiếu %(column)s.") % {"column": column.lower()})
        stars = self._stars(row, errors)
        category = self._category(row, errors)
        producer = self._producer(producer_name, row, errors) if producer_name else None
        product = None
        if producer_name and product_name:
            key = (decision["key"] if decision else None, fold_vietnamese(product_name), fold_vietnamese(producer_name))
            if key in self._seen:
                errors.add(
                    PRODUCT, _("Trùng với dòng %(line)s (cùng sản phẩm, cùng chủ thể).") % {"line": self._seen[key]}
                )
            else:
                self._seen[key] = line
            if producer is not None:
                product = self._product(product_name, producer, category, errors)
        errors.raise_if_any()

        certificate = self._certificate(decision, errors)
        errors.raise_if_any()
        notes = []
        certificate = self._save_new(certificate, notes, _("tạo quyết định mới"), NUMBER, errors, CERTIFICATE_COLUMNS)
        producer = self._save_new(producer, notes, _("tạo chủ thể mới"), PRODUCER, errors, PRODUCER_COLUMNS)
        product.producer = producer
        product = self._save_new(product, notes, _("tạo sản phẩm mới"), PRODUCT, errors, PRODUCT_COLUMNS)
        instance.certificate = certificate
        instance.product = product
        instance.stars = stars
        instance.kind = CertificateKind.OCOP
        instance._change_reason = IMPORT_REASON
        instance.import_note = ", ".join(str(n) for n in notes) or _("thêm vào quyết định")
        try:
            instance.full_clean()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                column = STARS if field == "stars" else PRODUCT
                for message in messages:
                    errors.add(column, message)
        errors.raise_if_any()

    @staticmethod
    def _save_new(obj, notes, note, column, errors, columns=None):
        """Save `obj` if the import creates it; its validation problems are the row's, each under the column
        `columns` gives for its field, else under `column`."""
        if obj.pk is None:
            try:
                obj.full_clean(exclude=["slug"])  # the slug is made on saving
            except ValidationError as exc:
                add_errors(exc, errors, column, columns)
                errors.raise_if_any()
            obj._change_reason = IMPORT_REASON
            obj.save()
            hint = getattr(obj, "_did_you_mean", "")
            notes.append(f"{note} ({hint})" if hint else note)
        return obj

    # --- the decision columns -------------------------------------------------------------------

    def _decision(self, row, line, errors):
        """The decision this row belongs to: written on it, or (all four cells blank) the one above."""
        number = cell_text(row.get(NUMBER))
        if number:
            key = normalise_certificate_number(number)
            values = {column: row.get(column) for column in DECISION_COLUMNS}
            if key == self._above_key:
                # The same number again: cells left blank keep the values written above.
                for column in DECISION_COLUMNS:
                    if not cell_text(values[column]):
                        values[column] = self._above[column]
            else:
                self._decision_line[key] = line
            self._above, self._above_key = values, key
        elif any(cell_text(row.get(column)) for column in DECISION_COLUMNS):
            errors.add(NUMBER, _("Dòng này ghi ngày ký, cơ quan ban hành hoặc trích yếu mà thiếu số quyết định."))
            return None
        elif self._above_key is None:
            errors.add(NUMBER, _("Thiếu số quyết định (ghi ở dòng này hoặc một dòng phía trên)."))
            return None
        else:
            key, values = self._above_key, self._above
            if key in self._bad_decisions:
                errors.add(NUMBER, _("Quyết định ghi ở dòng %(line)s có lỗi.") % {"line": self._decision_line[key]})
                return None

        decision = {"key": key, "number": cell_text(values[NUMBER])}
        own = RowErrors()
        if not cell_text(values[DATE]):
            own.add(DATE, _("Thiếu ngày ký quyết định."))
        else:
            try:
                decision["issued_on"] = parse_date(values[DATE])
            except ValueError as exc:
                own.add(DATE, exc)
            else:
                if problem := signing_date_problem(decision["issued_on"]):
                    own.add(DATE, problem)
        decision["issuer"] = cell_text(values[ISSUER])
        if not decision["issuer"]:
            own.add(ISSUER, _("Thiếu cơ quan ban hành quyết định."))
        decision["title"] = cell_text(values[TITLE]) or _("Công nhận sản phẩm đạt chuẩn OCOP")
        if own:
            self._bad_decisions.add(key)
            for column, messages in own.errors.items():
                for message in messages:
                    errors.add(column, message)
            return None
        return decision

    def _certificate(self, decision, errors):
        key = decision["key"]
        if key in self._certificates:
            certificate = self._certificates[key]
            if certificate.issued_on != decision["issued_on"]:
                errors.add(
                    DATE,
                    _("Quyết định %(number)s đã ghi ngày ký %(date)s ở dòng trên.")
                    % {"number": certificate.number, "date": certificate.issued_on.strftime("%d/%m/%Y")},
                )
            return certificate
        existing = Certificate.objects.filter(kind=CertificateKind.OCOP, province=self.province, number_key=key).first()
        if existing is not None:
            if existing.issued_on != decision["issued_on"]:
                errors.add(
                    DATE,
                    _("Quyết định số %(number)s đã có trong danh mục với ngày ký %(date)s.")
                    % {"number": existing.number, "date": existing.issued_on.strftime("%d/%m/%Y")},
                )
            if existing.revoked_on:
                errors.add(NUMBER, _("Quyết định số %(number)s đã bị thu hồi.") % {"number": existing.number})
            certificate = existing
        else:
            certificate = Certificate(
                kind=CertificateKind.OCOP,
                number=decision["number"],
                title=decision["title"],
                issuer=decision["issuer"],
                province=self.province,
                issued_on=decision["issued_on"],
            )
            try:
                certificate.full_clean()
            except ValidationError as exc:
                add_errors(exc, errors, NUMBER, CERTIFICATE_COLUMNS)
        self._certificates[key] = certificate
        return certificate

    # --- the product columns --------------------------------------------------------------------

    def _stars(self, row, errors):
        if not cell_text(row.get(STARS)):
            errors.add(STARS, _("Thiếu số sao."))
            return None
        try:
            return parse_stars(row.get(STARS))
        except ValueError as exc:
            errors.add(STARS, exc)
            return None

    def _category(self, row, errors):
        name = cell_text(row.get(CATEGORY))
        if not name:
            errors.add(CATEGORY, _("Thiếu loại sản phẩm."))
            return None
        if self._categories is None:
            self._categories = {}
            for category in Category.objects.all():
                self._categories[fold_vietnamese(category.name)] = category
                self._categories[category.slug.replace("-", " ")] = category
        category = self._categories.get(fold_vietnamese(name.replace("-", " ")))
        if category is None:
            errors.add(
                CATEGORY,
                _("Chưa có loại sản phẩm «%(name)s». Hãy chọn một loại có sẵn hoặc thêm loại mới trước.")
                % {"name": name},
            )
        return category

    def _producer(self, name, row, errors):
        if self._producers is None:
            self._producers = {}
            for producer in Producer.objects.filter(province=self.province):
                self._producers.setdefault(fold_vietnamese(producer.name), []).append(producer)
        found = self._producers.get(fold_vietnamese(name), [])
        if len(found) > 1:
            errors.add(
                PRODUCER,
                _("Có %(n)s chủ thể cùng tên «%(name)s»; hãy sửa tên trong danh mục trước.")
                % {"n": len(found), "name": name},
            )
            return None
        if found:
            return found[0]
        if Producer.objects.filter(name__iexact=name).exclude(province=self.province).exists():
            errors.add(
                PRODUCER,
                _("Chủ thể «%(name)s» thuộc tỉnh, thành phố khác, không đưa được vào quyết định của %(province)s.")
                % {"name": name, "province": self.province},
            )
            return None
        hint = self._near.producer(name)
        if not self.create_missing:
            message = _(
                "Chưa có chủ thể «%(name)s» ở %(province)s. Hãy thêm chủ thể trước, hoặc chọn "
                "«Tạo sản phẩm, chủ thể còn thiếu»."
            ) % {"name": name, "province": self.province}
            errors.add(PRODUCER, f"{message} {hint}".strip())
            return None
        kind = producer_kind_from(cell_text(row.get(PRODUCER_KIND)), name)
        if kind is None:
            errors.add(
                PRODUCER_KIND,
                _("Không rõ loại chủ thể của «%(name)s»: ghi một trong %(kinds)s.")
                % {"name": name, "kinds": kind_choices_text()},
            )
            return None
        producer = Producer(name=name, kind=kind, province=self.province)
        producer._did_you_mean = hint
        self._producers[fold_vietnamese(name)] = [producer]
        return producer

    def _product(self, name, producer, category, errors):
        key = producer.pk or id(producer)
        if key not in self._products:
            self._products[key] = {}
            if producer.pk:
                for product in producer.products.all():
                    self._products[key].setdefault(fold_vietnamese(product.name), []).append(product)
        found = self._products[key].get(fold_vietnamese(name), [])
        if len(found) > 1:
            errors.add(PRODUCT, _("Chủ thể có %(n)s sản phẩm cùng tên «%(name)s».") % {"n": len(found), "name": name})
            return None
        if found:
            return found[0]
        hint = self._near.product(name)
        if not self.create_missing:
            message = _(
                "Chưa có sản phẩm «%(name)s» của %(producer)s. Hãy thêm sản phẩm trước, hoặc chọn "
                "«Tạo sản phẩm, chủ thể còn thiếu»."
            ) % {"name": name, "producer": producer.name}
            errors.add(PRODUCT, f"{message} {hint}".strip())
            return None
        if category is None:
            return None
        product = Product(name=name, producer=producer, category=category, is_published=True)
        product._did_you_mean = hint
        self._products[key][fold_vietnamese(name)] = [product]
        return product
