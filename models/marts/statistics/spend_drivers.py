from customer_behavior import pipeline


def model(dbt, session):
    # A DuckDB relation: pipeline reads only total spend and the candidate drivers.
    return pipeline.spend_drivers(dbt.ref("customers"))
