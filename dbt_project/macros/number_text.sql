{#
    number_text(x): a number as a clerk writes it in a message: 12 (not 12.0), 0.5, and
    空 for a blank cell. The same formatting as orchestration/quality/invariants.py
    NUMBER_TEXT, which writes the arithmetic of the per-report checks.
#}
{% macro number_text(x) -%}
case
    when {{ x }} is null then '空'
    when {{ x }} = floor({{ x }}) and abs({{ x }}) < 1e15
        then cast(cast({{ x }} as bigint) as varchar)
    else cast({{ x }} as varchar)
end
{%- endmacro %}
