"""Letters generated from a validated case (paras 84-119): context models, rendering, checks.

Public interface:

* ``generate_letters(options: LetterOptions, progress=None) -> list[GeneratedLetter]``
* ``build_contexts(kind, loaded, letter_date, resident=None) -> list[LetterPlan]``
* ``render_letter(template_path, context, *, shown, title, author, when) -> bytes``
* ``check_template(path, kind, *, shown=None) -> TemplateCheck``
* ``add_working_days(start, days) -> date``, ``is_working_day(day) -> bool``
* ``uk_date(day) -> str`` ("3 March 2026")

Import the submodules directly (``bundler.letters.generate`` and so on); this
package does not import them eagerly, so ``bundler --help`` stays quick.
"""
