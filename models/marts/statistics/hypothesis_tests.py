from customer_behavior import pipeline


def model(dbt, session):
    # DuckDB relations: pipeline reads only the columns the tests use.
    return pipeline.hypothesis_tests(dbt.ref("customers"), dbt.ref("orders"))
