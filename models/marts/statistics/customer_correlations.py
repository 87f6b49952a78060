from customer_behavior import pipeline


def model(dbt, session):
    # A DuckDB relation: pipeline reads only the measures it correlates.
    return pipeline.correlation_matrix(dbt.ref("customers"))
