"""Certificates, keys and timestamps: what signing a bundle and anchoring an audit log need.

* ``credentials``: the council's signing certificate and key, from a PKCS#12 file or PEM
  files, refused with a plain reason when they cannot sign (wrong passphrase, expired,
  not for signing, key of another certificate);
* ``trust``: the trust anchors a recipient accepts (``--trust`` files plus the system's
  store), and how a certificate is named to people;
* ``timestamp``: RFC 3161 timestamps from a time-stamping authority, and their checks.

pyHanko and its certificate validator do the cryptography; these modules decide what a
user is told.
"""

import logging

# pyHanko and its validator log each failure they meet, with tracebacks; the toolkit reports
# those failures in its own words (or as FAIL lines), so their records go nowhere.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False
