"""Hostile user templates: each must be refused at lint/save time or render safely within the caps.

``values`` are what the attacker controls besides the source (a personal template's own variables).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hostile:
    id: str
    source: str
    values: dict[str, object] = field(default_factory=dict)


_NEST = "{% for a in s %}{% for b in s %}{% for c in s %}{% for d in s %}{% if false %}x{% endif %}"
_UNNEST = "{% endfor %}" * 4

HOSTILE: tuple[Hostile, ...] = (
    # --- classic Jinja2 / SSTI sandbox escapes: attribute walks to object internals ---
    Hostile("str-class-mro", "{{ ''.__class__.__mro__ }}"),
    Hostile("subclasses", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    Hostile("tuple-bases", "{{ ().__class__.__bases__[0].__subclasses__() }}"),
    Hostile("list-base", "{{ [].__class__.__base__.__subclasses__() }}"),
    Hostile("cycler-globals", "{{ cycler.__init__.__globals__ }}"),
    Hostile("cycler-os-popen", "{{ cycler.__init__.__globals__.os.popen('id').read() }}"),
    Hostile("joiner-globals", "{{ joiner.__init__.__globals__ }}"),
    Hostile("namespace-globals", "{{ namespace.__init__.__globals__ }}"),
    Hostile("lipsum-globals", "{{ lipsum.__globals__ }}"),
    Hostile("lipsum-os", "{{ lipsum.__globals__['os'].popen('id').read() }}"),
    Hostile("self-context", "{{ self._TemplateReference__context }}"),
    Hostile("self-init-globals", "{{ self.__init__.__globals__ }}"),
    Hostile("self-bare", "{{ self }}"),
    Hostile("caller-bare", "{{ caller }} {{ varargs }} {{ kwargs }}"),
    Hostile("value-class", "{{ x.__class__ }}", {"x": "text"}),
    Hostile("subscript-dunder", "{{ x['__class__'] }}", {"x": "text"}),
    Hostile("dynamic-dunder-key", "{{ d[k] }}", {"d": {"a": 1}, "k": "__class__"}),
    Hostile("dict-walk-dot", "{{ d.items }}", {"d": {"a": 1}}),
    Hostile("loop-class", "{% for i in [1] %}{{ loop.__class__ }}{% endfor %}"),
    Hostile("conditional-walk", "{{ 'x' if true else ''.__class__ }}"),
    Hostile("raw-is-only-text", "{% raw %}{{ ''.__class__ }}{% endraw %}"),
    # --- filters that walk attributes or format strings ---
    Hostile("attr-filter", "{{ request|attr('application') }}"),
    Hostile("attr-dunder", "{{ ''|attr('__class__') }}"),
    Hostile("map-attribute", "{{ [1, 2]|map(attribute='__class__')|list }}"),
    Hostile("selectattr", "{{ [x]|selectattr('__class__')|list }}", {"x": "a"}),
    Hostile("sort-attribute", "{{ x|sort(attribute='__class__') }}", {"x": ["a"]}),
    Hostile("groupby", "{{ x|groupby('__class__') }}", {"x": ["a"]}),
    Hostile("tojson-pprint", "{{ x|tojson }}{{ x|pprint }}", {"x": "a"}),
    Hostile("format-filter", "{{ '%s'|format(x) }}", {"x": "a"}),
    Hostile("format-filter-dunder", "{{ '%(a)s'|format(a=x.__class__) }}", {"x": "a"}),
    Hostile("str-format-method", "{{ '{0.__class__}'.format(x) }}", {"x": "a"}),
    Hostile("str-format-map", "{{ '{x.__class__.__init__.__globals__}'.format_map(d) }}", {"d": {"x": 1}}),
    Hostile("percent-format", "{{ '%s %s' % (x, x) }}", {"x": "a"}),
    Hostile("percent-width-bomb", "{{ '%(a)999999999s' % {'a': 1} }}"),
    # --- CPU bombs: loops ---
    Hostile("range-billion", "{% for i in range(10**9) %}x{% endfor %}"),
    Hostile("nested-loops-silent", "{% set s = 'abcdefghij' * 10 %}" + _NEST + _UNNEST),
    Hostile(
        "nested-loops-literal", "{% for a in 'x' * 1000 %}{% for b in 'x' * 1000 %}{% endfor %}{% endfor %}"
    ),
    Hostile("recursive-loop", "{% for x in items recursive %}{{ loop(x) }}{% endfor %}", {"items": [[1]]}),
    Hostile("loop-cycle", "{% for x in [1, 2] %}{{ loop.cycle('a', 'b') }}{% endfor %}"),
    Hostile("macro-recursion", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"),
    Hostile("call-block", "{% call f() %}x{% endcall %}"),
    # --- memory bombs: multiplication, powers, growth ---
    Hostile("str-times-1e8", "{{ 'a' * 10**8 }}"),
    Hostile("list-times-1e9", "{{ [1] * 10**9 }}"),
    Hostile("pow-tower", "{{ 2 ** (10 ** 10) }}"),
    Hostile("pow-left-assoc", "{{ 2**10**10 }}"),
    Hostile("pow-nine", "{{ 9 ** (9 ** 9) }}"),
    Hostile("int-huge", "{{ 10 ** 4300 }}"),
    Hostile("float-overflow", "{{ 2.0 ** 10000 }}"),
    Hostile("concat-doubling", "{% set a = 'xxxxxxxxxx' %}" + "{% set a = a ~ a %}" * 30 + "{{ a|length }}"),
    Hostile("plus-doubling", "{% set a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] %}" + "{% set a = a + a %}" * 30),
    Hostile("set-block-doubling", "{% set a = 'xx' %}" + "{% set a %}{{ a }}{{ a }}{% endset %}" * 40),
    Hostile("replace-chain", "{{ 'a'" + "|replace('a', 'aaaaaaaaaa')" * 12 + " }}"),
    Hostile("concat-times", "{{ ('a' ~ 'b') * 10**7 }}"),
    Hostile("join-huge-separator", "{{ ['a', 'b', 'c']|join('x' * 9000) }}"),
    Hostile("wordwrap-width-one", "{{ x|wordwrap(1) }}", {"x": "a " * 1500}),
    Hostile(
        "nested-list-fanout",
        "{% set a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] * 100 %}{% set b = [a] * 1000 %}{% set c = [b] * 1000 %}{{ c }}",
    ),
    Hostile(
        "nested-literal-fanout",
        "{% set a = 'x' * 5000 %}{% set b = [a, a, a, a, a, a, a, a, a, a] %}{% set c = [b, b, b, b, b, b, b, b] %}"
        "{{ c|join }}",
    ),
    Hostile(
        "deep-compare",
        "{% set a = [1] * 5000 %}{% set b = [a] * 5000 %}{% set d = [a + []] * 5000 %}{{ b == d }}",
    ),
    Hostile("tuple-fanout", "{% set a = ('x' * 3000,) %}{% set b = a + a + a + a %}{{ b ~ b ~ b }}"),
    Hostile("deep-parens", "{{ " + "(" * 1500 + "1" + ")" * 1500 + " }}"),
    Hostile("deep-lists", "{{ " + "[" * 1500 + "1" + "]" * 1500 + " }}"),
    # --- includes, imports, inheritance, globals ---
    Hostile("include", "{% include 'secrets.txt' %}"),
    Hostile("extends", "{% extends 'base.html' %}"),
    Hostile("import", "{% import 'macros.j2' as m %}{{ m }}"),
    Hostile("from-import", "{% from 'macros.j2' import f %}{{ f() }}"),
    Hostile("joiner", "{% set j = joiner(',') %}{{ j() }}{{ j() }}"),
    Hostile("namespace-mutation", "{% set ns = namespace(x=1) %}{% set ns.x = 2 %}{{ ns.x }}"),
    Hostile("globals-dict-range", "{{ dict(a=1) }}{{ range(3) }}{{ lipsum() }}"),
    Hostile("config-request", "{{ config }}{{ request }}"),
    Hostile("filter-block", "{% filter upper %}{{ x }}{% endfilter %}", {"x": "a"}),
    Hostile("autoescape-block", "{% autoescape false %}{{ x }}{% endautoescape %}", {"x": "a"}),
    Hostile("underscore-name", "{% set _x = 1 %}{{ _x }}"),
    # --- mentions and output size ---
    Hostile("everyone-literal", '{{ "@everyone" }}'),
    Hostile("everyone-text", "Hello @everyone and @here"),
    Hostile("everyone-assembled", "{{ '@' ~ 'every' ~ 'one' }} {{ '@' ~ 'here' }}"),
    Hostile("role-mention", "<@&123456789012345678>"),
    Hostile("user-channel-command-mentions", "<@123> <@!456> <#789> </ban:1011>"),
    Hostile("mention-from-value", "{{ who }}", {"who": "<@&1> @everyone"}),
    Hostile("mention-spam-loop", "{% for i in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] %}<@&{{ i }}> {% endfor %}"),
    Hostile("huge-literal", "x" * 3_000),
    Hostile("huge-loop-output", "{% for i in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] %}{{ 'y' * 500 }}{% endfor %}"),
    Hostile("huge-source", "{{ x }}" * 1_000, {"x": "a"}),
    # --- unicode tricks ---
    Hostile("bidi-override", "Refund \u202eten\u202c dollars {{ x }}", {"x": "a"}),
    Hostile("fullwidth-at", "\uff20everyone {{ '@\u200beveryone' }}"),
    Hostile("nul-and-controls", "a\x00b\x1bc {{ x }}", {"x": "\x07"}),
    Hostile("homoglyph-name", "{{ \u0455elf }}"),
    # --- found by the issue-11 review: caps that a filter argument or a number slipped past ---
    Hostile(
        "replace-negative-count",
        "{% set s='a'*10000 %}{% set t='b'*10000 %}{{ (s|replace('a',t,-1))|length }}",
    ),
    Hostile(
        "replace-emoji-reverse",
        "{% set s='\U0001f600'*9000 %}{{ (s|reverse|replace('\U0001f600',s|reverse,-1))|length }}",
    ),
    Hostile("int-from-long-text", "{% set x=('9'*4000)|int %}{{ x|string|length }}"),
    Hostile(
        "printed-number-fanout",
        "{% if n=='boom' %}{% set x=('9'*1200)|int %}{{ [x]*4999 }}{% endif %}",
        {"n": "boom"},
    ),
    Hostile("complex-root", "{{ (-8) ** 0.5 }}"),
    Hostile("print-loop-object", "{% for i in [1] %}{{ loop }}{% endfor %}"),
    Hostile("direction-marks", "pay \u200e100\u200f \u061c{{ x }}", {"x": "\u200fnow"}),
)
