"""What a person reads: the catalogs (`catalogs`), the shapes of Rasa's responses (`responses`),
and the program's dated status (`program_status`).

Owns the key `hl:program_status` (an operator's override of `content/program_status.yml`).
May import: core (`hotline.config`, `hotline.text`) only. Every other capability may import it.
"""
