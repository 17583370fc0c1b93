#!/usr/bin/env python3
"""Writes the mhsds-v6 rule pack from the published MHSDS v6.0 validation rules and Rules/datasets.

The TOML files this writes are the pack: stewards read and edit them, and `mhdq rules lint` checks
them. This script records how they were made and regenerates them when the official list changes:

    python3 Rules/packs/mhsds-v6/generate.py [path/to/validation_rules_v6.0.csv]

Blank, Format and National Code rules follow from each field's dataset definition (format, code list).
Cross-field (AV) and group rules are written out below as expressions, one per official code; an
official rule with no expression here is listed as not implemented, with the reason.
"""
import csv
import os
import re
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_CSV = os.path.join(ROOT, "..", "shared", "reference", "mhsds-v6", "validation_rules_v6.0.csv")
TABLES = ["MHS000Header", "MHS001MPI", "MHS002GP", "MHS003AccommStatus", "MHS004EmpStatus",
          "MHS101Referral", "MHS102OtherServiceType", "MHS201CareContact"]
H = "MHS000Header."
START, END, CREATED = H + "ReportingPeriodStartDate", H + "ReportingPeriodEndDate", H + "DateTimeDatSetCreate"

# Cross-field rules: official code -> the condition that is a finding. Header fields are MHS000Header.X;
# fields of an earlier table come through lookup(TABLE.FIELD, key).
AV = {
    # MHS000 Header
    "MHS00003": 'DatSetVer is not blank and DatSetVer != "6.0"',
    "MHS00030": 'OrgIDProvider is not blank and upper(OrgIDProvider) != upper(setting("portal_org"))',
    "MHS00035": "OrgIDProvider is not blank and not ods_live(OrgIDProvider, ReportingPeriodStartDate, ReportingPeriodEndDate)",
    "MHS00033": 'OrgIDSubmit is not blank and upper(OrgIDSubmit) != upper(setting("portal_org"))',
    "MHS00034": "OrgIDSubmit is not blank and not ods_live(OrgIDSubmit, ReportingPeriodEndDate)",
    "MHS00016": "ReportingPeriodStartDate != period_start()",
    "MHS00019": "ReportingPeriodEndDate != period_end()",
    "MHS00036": "DateTimeDatSetCreate < ReportingPeriodStartDate",
    # After the upload date: from midnight of the next day on (a date-time compares with a date as its midnight).
    "MHS00027": 'DateTimeDatSetCreate >= add_days(to_date(setting("upload_date")), 1)',
    "MHS00037": "DateTimeDatSetCreate < ReportingPeriodEndDate",
    # MHS001 MPI
    "MHS00153": f"OrgIDLocalPatientID is not blank and upper(OrgIDLocalPatientID) != upper({H}OrgIDProvider)",
    "MHS00154": f"OrgIDLocalPatientID is not blank and not ods_live(OrgIDLocalPatientID, {END})",
    "MHS00117": 'NHSNumberStatus = "07" and NHSNumber is not blank',
    "MHS00118": "NHSNumberStatus is blank and NHSNumber is blank",
    "MHS00119": 'NHSNumber is blank and NHSNumberStatus is not blank and NHSNumberStatus != "07"',
    "MHS00168": f"PersonBirthDate > {END}",
    # As the portal does: a birth after the period end is outside 0-130 at its start too (MHS00168 fires as well).
    "MHS00171": f"age(PersonBirthDate, {START}) > 130 or age(PersonBirthDate, {START}) < 0",
    "MHS00141": f"PersDeathDate < {START}",
    "MHS00142": f"PersDeathDate > {END}",
    # MHS002 GP
    "MHS00206": f"GMPReg is not blank and not ods_live(GMPReg, {END})",
    "MHS00211": f"StartDateGMPRegistration > add_days({END}, 1)",
    "MHS00212": "StartDateGMPRegistration < lookup(MHS001MPI.PersonBirthDate, LocalPatientID)",
    "MHS00214": f"EndDateGMPRegistration < {START}",
    "MHS00216": "EndDateGMPRegistration < StartDateGMPRegistration",
    "MHS00215": f"EndDateGMPRegistration > {END}",
    # MHS003 / MHS004
    "MHS00309": f"AccommodationTypeDate > {END}",
    "MHS00318": f"AccommodationTypeStartDate > {END}",
    "MHS00321": f"AccommodationTypeEndDate > {END}",
    "MHS00416": f"EmployStatusStartDate > {END}",
    "MHS00419": f"EmployStatusEndDate > {END}",
    "MHS00409": f"EmployStatusRecDate > {END}",
    # MHS101 Referral
    "MHS10113": f"ReferralRequestReceivedDate > {END}",
    "MHS10150": f"DecisionToTreatDate > {END}",
    "MHS10137": "DischPlanCreationDate < ReferralRequestReceivedDate",
    "MHS10138": f"DischPlanCreationDate > {END}",
    "MHS10141": f"DischPlanLastUpdatedDate > {END}",
    "MHS10140": "DischPlanLastUpdatedDate < DischPlanCreationDate",
    "MHS10128": "ServDischDate < ReferralRequestReceivedDate",
    "MHS10129": f"ServDischDate < {START}",
    "MHS10131": f"ServDischDate > {CREATED}",
    "MHS10130": f"ServDischDate > add_days({END}, 1)",
    "MHS10158": f"ReferRejectionDate > {END}",
    "MHS10159": f"ReferRejectionDate < {START}",
    "MHS10160": f"ReferRejectionDate > {CREATED}",
    "MHS10161": "ReferRejectionDate < ReferralRequestReceivedDate",
    # MHS102 Other service type
    "MHS10213": f"ReferClosureDate < {START}",
    "MHS10214": f"ReferClosureDate > {CREATED}",
    "MHS10216": "ReferClosureDate > lookup(MHS101Referral.ServDischDate, ServiceRequestID)",
    "MHS10215": f"ReferClosureDate > {END}",
    "MHS10220": f"ReferRejectionDate > {END}",
    "MHS10218": f"ReferRejectionDate < {START}",
    "MHS10219": f"ReferRejectionDate > {CREATED}",
    "MHS10221": "ReferRejectionDate > lookup(MHS101Referral.ServDischDate, ServiceRequestID)",
    "MHS10224": "ReferClosReason is blank and ReferClosureDate is not blank",
    "MHS10227": "ReferRejectReason is blank and ReferRejectionDate is not blank",
    # MHS201 Care contact
    "MHS20167": f"CareContDate < {START}",
    "MHS20168": f"CareContDate > {END}",
    "MHS20137": "CareContCancelReas is blank and CareContCancelDate is not blank",
}

# Placeholders that name a field of another table: how to show them.
LOOKUP_PLACEHOLDERS = {
    ("MHS00212", "PersonBirthDate"): "lookup(MHS001MPI.PersonBirthDate, LocalPatientID)",
    ("MHS10216", "ServDischDate"): "lookup(MHS101Referral.ServDischDate, ServiceRequestID)",
    ("MHS10221", "ServDischDate"): "lookup(MHS101Referral.ServDischDate, ServiceRequestID)",
}

# Group rules: official code -> kind, key, optional filter, referenced table.
GROUP = {
    "MHS00025": dict(kind="duplicate", key=[]),
    "MHS00144": dict(kind="duplicate", key=["LocalPatientID"]),
    "MHS00145": dict(kind="orphan", key=["LocalPatientID"], references="MHS002GP"),
    "MHS00146": dict(kind="orphan", key=["LocalPatientID"], references="MHS101Referral"),
    "MHS00147": dict(kind="duplicate", key=["NHSNumber"]),
    "MHS00220": dict(kind="orphan", key=["LocalPatientID"], references="MHS001MPI"),
    "MHS00221": dict(kind="duplicate", key=["LocalPatientID", "GMPReg", "StartDateGMPRegistration"]),
    "MHS00222": dict(kind="duplicate", key=["LocalPatientID"], where="EndDateGMPRegistration is blank"),
    "MHS00310": dict(kind="orphan", key=["LocalPatientID"], references="MHS001MPI"),
    "MHS00315": dict(kind="duplicate", key=["LocalPatientID", "AccommodationTypeDate"]),
    "MHS00316": dict(kind="duplicate", key=["LocalPatientID"], where="AccommodationTypeDate is blank"),
    "MHS00401": dict(kind="orphan", key=["LocalPatientID"], references="MHS001MPI"),
    "MHS00413": dict(kind="duplicate", key=["LocalPatientID", "EmployStatusRecDate"]),
    "MHS00414": dict(kind="duplicate", key=["LocalPatientID"], where="EmployStatusRecDate is blank"),
    "MHS10101": dict(kind="orphan", key=["LocalPatientID"], references="MHS001MPI"),
    "MHS10103": dict(kind="duplicate", key=["ServiceRequestID"]),
    "MHS10228": dict(kind="orphan", key=["ServiceRequestID"], references="MHS101Referral"),
    "MHS10229": dict(kind="duplicate", key=["OtherCareProfTeamLocalID", "ServiceRequestID"]),
    "MHS20142": dict(kind="orphan", key=["ServiceRequestID"], references="MHS101Referral"),
    "MHS20143": dict(kind="duplicate", key=["CareContactID"]),
}

# National code checks against lists that are not fixed in the Data Dictionary: NHS England checks them
# against its own reference tables, so they run when the manifest supplies the list ([context] NAME = FILE).
REFERENCE_LISTS = {
    "SpecialisedMHServiceCode": "specialised_services",   # prescribed specialised services, changes monthly
    "LanguageCodePreferred": "language_codes",            # NHS England language code table (ISO 639-1 based)
    "LanguageCodeTreat": "language_codes",
}

NOT_IMPLEMENTED = {
    "MHS00223": "needs the order of a patient's GP registrations (a consecutive start date at a different practice); "
                "the engine has no sequence rule over a patient's records yet",
}

SEVERITY = {"Record rejected": "Record rejected", "Group rejected": "Group rejected",
            "Severity 1 Warning": "Severity 1 Warning", "Warning": "Warning"}


def toml_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load_datasets():
    out = {}
    for t in TABLES:
        with open(os.path.join(ROOT, "Rules", "datasets", t + ".toml"), "rb") as f:
            out[t] = tomllib.load(f)
    return out


def field_map(ds):
    return {f["name"]: f for f in ds["field"]}


def message_template(code, table, text, fields, header_fields, group_key=None, group_filter_blank=None):
    """Official <Field> placeholders become {Field} (or {MHS000Header.Field} / a lookup)."""
    def repl(m):
        name = m.group(1)
        if (code, name) in LOOKUP_PLACEHOLDERS:
            return "{" + LOOKUP_PLACEHOLDERS[(code, name)] + "}"
        if group_filter_blank and name == group_filter_blank:
            return ""  # always blank in this group (the rule's filter)
        if name in fields:
            return "{" + name + "}"
        if name in header_fields:
            return "{" + H + name + "}"
        raise SystemExit(f"{code}: placeholder <{name}> is not a field of {table} or the header")
    return re.sub(r"<([A-Za-z0-9]+)>", repl, text)


def title_of(text):
    # "Record rejected - [M001901]LocalPatientID is blank. [M...]" -> "LocalPatientID is blank"
    body = text.split(" - ", 1)[1] if " - " in text else text
    body = re.sub(r"\[M[0-9]+\]|\[MHS[0-9]+\]", "", body)
    return body.split(". ")[0].rstrip(".").strip()


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_CSV
    with open(path, encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["Table"] in TABLES]
    datasets = load_datasets()
    header_fields = set(field_map(datasets["MHS000Header"]))
    codes_dir = os.path.join(ROOT, "Rules", "codes")

    # The official list, for `mhdq rules coverage`.
    with open(os.path.join(HERE, "official-rules.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "table", "element", "type", "level", "message"])
        for r in rows:
            w.writerow([r["Error Code"], r["Table"], r["XML ELEMENT NAME"], r["Validation Type"], r["Error Level"],
                        r["Validation Text with Action"]])

    summary = {"implemented": 0, "not": 0}
    for table in TABLES:
        fields = field_map(datasets[table])
        out = [f"# MHSDS v6.0 validation rules for {table}, from the published rule list (validation_rules_v6.0.csv).",
               "# Generated by generate.py from the official list and Rules/datasets; edit here or regenerate.",
               "# Each rule's id is the official error code and its message the official text with {Field} filled in.",
               f'table = "{table}"', ""]
        nots = []
        for r in [r for r in rows if r["Table"] == table]:
            code, vtype, level = r["Error Code"], r["Validation Type"], r["Error Level"]
            element, text = r["XML ELEMENT NAME"], r["Validation Text with Action"]
            severity = SEVERITY[level]
            rule = {"id": code, "title": title_of(text), "severity": severity, "official_type": vtype}
            group = GROUP.get(code)
            reason = NOT_IMPLEMENTED.get(code)
            when = None
            f = fields.get(element)
            if reason:
                pass
            elif group:
                rule["kind"] = group["kind"]
                rule["class"] = "duplicate" if group["kind"] == "duplicate" else "orphan"
                rule["key"] = group["key"]
                if "references" in group:
                    rule["references"] = group["references"]
                if "where" in group:
                    rule["where"] = group["where"]
                blank_field = group["where"].split()[0] if "where" in group else None
                rule["message"] = message_template(code, table, text, fields, header_fields, group["key"], blank_field)
            elif vtype == "Blank":
                when = f"{element} is blank"
                rule["class"] = "missing"
            elif vtype == "Format":
                when = f"{element} is not blank and not format_ok({element})"
                if element == "NHSNumber":
                    # The Data Dictionary's NHS NUMBER is ten digits, the tenth a Modulus 11 check digit whose use
                    # is mandatory: a number that fails it is not an NHS number's format.
                    when = f"{element} is not blank and not (format_ok({element}) and nhs_number_valid({element}))"
                    rule["description"] = ("NHS NUMBER (Data Dictionary) is 10 digits whose tenth is a check digit: "
                                           "\"the check digit is validated using the Modulus 11 algorithm and the use of "
                                           "this algorithm is mandatory\". A number of ten digits that fails it is reported too.")
                rule["class"] = "invalid"
            elif vtype == "National Code":
                rule["class"] = "invalid"
                if "live organisation" in text or (f and "SiteID" in element):
                    when = f"{element} is not blank and not ods_live({element}, {END})"
                elif element in REFERENCE_LISTS:
                    name = REFERENCE_LISTS[element]
                    when = f'{element} is not blank and not in_reference("{name}", {element})'
                elif element == "Postcode":
                    when = "Postcode is not blank and not postcode_valid(Postcode)"
                elif element == "EthnicCategory":
                    # The first character is the national code; the second is for local use (99 = not known).
                    when = ('EthnicCategory is not blank and upper(EthnicCategory) != "99" and '
                            'first(upper(EthnicCategory)) not in codes("ethnic-category")')
                elif f and f.get("codes"):
                    when = f'{element} is not blank and {element} not in codes("{f["codes"]}")'
                else:
                    item = f.get("data_item", element) if f else element
                    reason = f"no confirmed national code list for {item} in Rules/codes yet (see Rules/codes/SOURCES.md)"
            elif vtype.startswith("AV"):
                if code in AV:
                    when = AV[code]
                    rule["class"] = "inconsistent"
                else:
                    reason = "cross-field rule not yet written as an expression"
            else:
                reason = f"unrecognised validation type {vtype}"
            if reason:
                nots.append((code, reason))
                summary["not"] += 1
                continue
            if when:
                rule["when"] = when
                rule["message"] = message_template(code, table, text, fields, header_fields)
                rule["field"] = element if element in fields else ""
            summary["implemented"] += 1
            out.append("[[rule]]")
            for k in ["id", "title", "description", "class", "severity", "kind", "official_type", "field", "key", "references", "where",
                      "when", "message"]:
                if k not in rule or rule[k] == "":
                    continue
                v = rule[k]
                if isinstance(v, list):
                    out.append(f"{k} = [" + ", ".join(toml_string(x) for x in v) + "]")
                else:
                    out.append(f"{k} = {toml_string(v)}")
            out.append("")
        for code, reason in nots:
            out += ["[[not_implemented]]", f'id = "{code}"', f"reason = {toml_string(reason)}", ""]
        with open(os.path.join(HERE, table + ".toml"), "w", encoding="utf-8") as f:
            f.write("\n".join(out))
    print(f"mhsds-v6: {summary['implemented']} rules written, {summary['not']} not implemented, from {len(rows)} official rules")


if __name__ == "__main__":
    main()
