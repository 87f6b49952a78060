from customer_behavior import pipeline


def model(dbt, session):
    customers = dbt.ref("customers").df()
    orders = dbt.ref("orders").df()
    return pipeline.hypothesis_tests(customers, orders)
