"""The controlled-substance log (SPEC.md section 12): every milligram of ketamine received, drawn,
given, wasted and counted. Ketamine is a Schedule III controlled substance; the clinic, a DEA
registrant that dispenses by administering, must keep a complete and accurate record of it.

The rules this app follows, and where they come from (read through public copies of the Code of
Federal Regulations and the DEA's own pages; the controlling text is the current eCFR, Title 21,
Chapter II):

- 21 CFR 1304.21 (general requirements for continuing records): a complete and accurate record,
  kept on a current basis, of each controlled substance received and otherwise disposed of,
  dated the day it was really received or moved, separately for each registered location.
- 21 CFR 1304.22(c) (records for dispensers): for each finished form (e.g. 50 mg per mL) the
  volume of each commercial container (e.g. a 10 mL vial); the containers received (date, number,
  from whom); each quantity dispensed or administered (to whom, when, and who dispensed or
  administered it); each quantity disposed of in any other way (when, how, how much).
- 21 CFR 1304.11 (inventory requirements): an initial inventory and then one at least every two
  years (the biennial inventory), of everything on hand, taken at the opening or the close of
  business; for an opened container of a Schedule III substance an estimated count or measure is
  allowed. This log keeps a stricter daily count (SPEC.md) and gives the inventory as of any date.
- 21 CFR 1304.04: records kept at least two years, readily retrievable (nothing here is deleted).
- 21 CFR part 1317 (disposal; 1317.90 and 1317.95, destruction in the presence of two employees,
  rendered non-retrievable) and the DEA's letter to practitioners on pharmaceutical wastage (79 FR
  53520, 53521): what is left in a syringe or vial after administering is wastage, not inventory;
  part 1317 and DEA Form 41 do not apply to it, but it is recorded (1304.22(c)), and the DEA
  "strongly encourages" the practice of two people witnessing and recording its destruction,
  which is what the witness here is. Expired or damaged stock is inventory: the DEA expects it
  destroyed under part 1317 (usually through a reverse distributor, with a Form 41); this log
  records its removal from stock the same witnessed way, and the note says how it was disposed of.

Layers: ``rules`` (pure arithmetic and roles) < ``selectors`` (reads) < ``services`` (writes) <
``api`` (DRF); the staff pages live in ``web/staff/controlled*.py``.
"""
