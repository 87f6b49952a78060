from customer_behavior import pipeline


def model(dbt, session):
    per_customer, _ = pipeline.lifetime_value_from_inputs(
        dbt.ref("int_customer_lifetime_value_inputs")
    )
    return per_customer
