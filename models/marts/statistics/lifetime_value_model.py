from customer_behavior import pipeline


def model(dbt, session):
    # Same per-customer summary and fit as customer_lifetime_value (fitted once per build).
    return pipeline.lifetime_value_parameters(dbt.ref("orders"))
