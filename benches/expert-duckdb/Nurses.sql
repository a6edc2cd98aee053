SELECT COUNT(*) FROM customers WHERE occupation = 'nurse'
