{#
    agency_key(column): the agency's name reduced to a matching key, so that one agency
    written slightly differently in two reports (a correction, next year's report) is
    recognised as the same agency. The one definition of agency identity; the rules are
    documented (and unit-tested) in models/intermediate/int_report_versions.yml:

      1. full-width ASCII (ＡＢＣ１２３（）) -> half-width (ABC123()), U+3000 -> space;
      2. every white space removed, wherever it is (ASCII, no-break U+00A0, ideographic
         U+3000, other Unicode spaces, zero-width U+200B / U+FEFF): Chinese names have no
         meaningful spaces;
      3. Latin letters lower-cased;
      4. 人民政府 -> 政府 (县人民政府 = 县政府, 县人民政府办公室 = 县政府办公室);
      5. a trailing 办 -> 办公室 (县政府办 = 县政府办公室; the short form only ever
         abbreviates 办公室).
    Not merged, on purpose: 政府 vs 政府办公室 (two agencies), 办公室 vs 办公厅 (different
    levels), different place names. An empty result is NULL (no agency).
#}
{% macro agency_key(column) -%}
nullif(
    regexp_replace(
        replace(
            lower(
                regexp_replace(
                    translate(
                        {{ column }},
                        '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　',
                        '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ '
                    ),
                    '[\s\p{Z}\x{200B}\x{FEFF}]+', '', 'g'
                )
            ),
            '人民政府', '政府'
        ),
        '办$', '办公室'
    ),
    ''
)
{%- endmacro %}
