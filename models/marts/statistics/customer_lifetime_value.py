from customer_behavior import pipeline


def model(dbt, session):
    # A DuckDB relation: DuckDB aggregates the orders to one row per customer first.
    per_customer, _ = pipeline.lifetime_value(dbt.ref("orders"))
    return per_customer
