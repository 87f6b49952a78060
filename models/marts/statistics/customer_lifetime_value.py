from customer_behavior import pipeline


def model(dbt, session):
    per_customer, _ = pipeline.lifetime_value(dbt.ref("orders").df())
    return per_customer
