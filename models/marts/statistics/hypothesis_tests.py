from customer_behavior import pipeline


def model(dbt, session):
    # DuckDB relations: pipeline reads only the columns the tests use.
    return pipeline.hypothesis_tests(
        dbt.ref("customers"),
        dbt.ref("orders"),
        dbt.ref("category_seasonal_demand"),
        dbt.ref("category_demand_by_stated_season"),
        dbt.ref("int_customer_season_category_lines"),
    )
