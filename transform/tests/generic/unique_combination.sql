{#- No two rows share these columns' values (nulls compare equal): a key over
    several columns, such as (tenant, id). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
