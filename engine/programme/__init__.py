"""The programme: partners, services, delivery options, dependencies, resources, the horizon
(``model``, ``calendar``), the cross-checks run when one is validated (``checks``), the
dependency graph, which figures are exempt (``exempt``), each change's money month by month under
the Green Book (``money``: the one discounting convention) and the seeded generator (``synth``).

Imports: ``engine.base`` only. A change to what a programme can say starts here.
"""
