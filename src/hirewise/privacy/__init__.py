"""Privacy: retention, access and portability (export), erasure, consent and explanations of
automated scores (GDPR articles 5(1)(e), 7, 15, 17, 20 and 22)."""
